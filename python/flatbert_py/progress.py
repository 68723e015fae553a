"""A progress line with rate and ETA: redrawn in place on a terminal, one line every 30 s in a log file."""
import sys
import time


class Progress:
    def __init__(self, total, what, start=0):
        self.total, self.what, self.done = total, what, start
        self.t0 = time.time()
        self.start = start
        self.last_print = 0.0
        self.tty = sys.stderr.isatty()

    def update(self, n=1, **fields):
        self.done += n
        now = time.time()
        if now - self.last_print < (0.5 if self.tty else 30) and self.done < self.total:
            return
        self.last_print = now
        rate = (self.done - self.start) / max(now - self.t0, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else 0
        extra = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items())
        line = (f"{self.what} {self.done}/{self.total} ({100 * self.done / self.total:.1f}%) "
                f"{rate:.2f}/s eta {int(eta // 60)}m{int(eta % 60):02d}s {extra}")
        sys.stderr.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        sys.stderr.flush()

    def close(self):
        if self.tty:
            sys.stderr.write("\n")
