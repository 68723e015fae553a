#!/usr/bin/env bash
# cmake --install into a fresh prefix, then use what was installed as a user would: the CLI from the prefix with no
# --model (it finds the default model), a C program built with pkg-config and one with find_package(flatbert), and
# `import flatbert` from the prefix's Python directory.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1
source_dir=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
source "$(dirname "$0")/../check.sh"
text="I love my new car"

check "cmake --install" cmake --install "$build" --prefix "$prefix/usr"
root=$prefix/usr
check "the installed flatbert finds its default model" \
  bash -c "env -u FLATBERT_MODEL '$root/bin/flatbert' classify '$text' | grep -q '\"label\"'"
check "libflatbert.so carries the ABI version in its SONAME" \
  bash -c "objdump -p '$root/lib/libflatbert.so' | grep -q 'SONAME *libflatbert.so.1$'"
check "libflatbert.so exports the C API only" \
  bash -c "! nm -D --defined-only '$root/lib/libflatbert.so' | awk '\$2 != \"A\" {print \$3}' | grep -v '^flatbert_' | grep ."
export PKG_CONFIG_PATH=$root/lib/pkgconfig
check "a C program builds with pkg-config" \
  bash -c "cc '$source_dir/tests/install/consumer/consumer.c' \$(pkg-config --cflags --libs flatbert) -o '$prefix/c1'"
check "and runs" bash -c "LD_LIBRARY_PATH='$root/lib' '$prefix/c1' '$root/share/flatbert/models/default.fbm' '$text' \
  | grep -Eq '^(negative|neutral|positive) 0\\.[0-9]{3}$'"
check "a CMake project builds with find_package(flatbert)" \
  bash -c "cmake -S '$source_dir/tests/install/consumer' -B '$prefix/cb' -DCMAKE_PREFIX_PATH='$root' > /dev/null && \
           cmake --build '$prefix/cb' > /dev/null"
check "and runs" bash -c "LD_LIBRARY_PATH='$root/lib' '$prefix/cb/consumer' '$root/share/flatbert/models/default.fbm' \
  '$text' | grep -q ' 0\\.'"
check "import flatbert from the prefix classifies with the default model" \
  env -u FLATBERT_MODEL -u FLATBERT_LIBRARY PYTHONPATH="$root/lib/python3/dist-packages" /usr/bin/python3 -c "
import flatbert
with flatbert.Model() as m:
    r = m.classify(['$text', b'\\xff'])
    assert r[0]['label'] in m.labels and 'error' in r[1], r
    assert m.path.startswith('$root/share/flatbert/models/'), m.path
"
check_summary
