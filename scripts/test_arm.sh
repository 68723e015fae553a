#!/usr/bin/env bash
# Cross-builds flatbert for aarch64 and armv7 (NEON, hard float), runs the whole test suite of each under
# qemu-user, checks that the classify demo gives the same labels as the native build, and makes each one's .deb.
# Needs scripts/setup.sh --arm and a native build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
native_labels=$(./build/flatbert classify --input samples/tweets.txt | sed 's/.*"label":"\([a-z]*\)".*/\1/')
for target in aarch64-linux-gnu armv7-linux-gnueabihf; do
  dir=build-${target%%-*}
  echo "=== $target"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="cmake/toolchains/$target.cmake" > /dev/null
  cmake --build "$dir" -j"$(nproc)"
  ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
  labels=$("$dir/flatbert-run" classify --model models/default.fbm --input samples/tweets.txt | sed 's/.*"label":"\([a-z]*\)".*/\1/')
  if [ "$labels" != "$native_labels" ]; then
    echo "$target: classify demo labels differ from the native build:"; diff <(echo "$native_labels") <(echo "$labels")
    exit 1
  fi
  echo "$target: classify demo labels equal the native build's"
  # Its .deb: unpacked (not installed), the binary under qemu finds the packaged default model.
  (cd "$dir" && cpack -G DEB > /dev/null)
  deb=$(ls "$dir"/packages/flatbert_*.deb)
  root=$(mktemp -d)
  dpkg-deb -x "$deb" "$root"
  emulator=$(sed -n 's/^exec \(.*\) [^ ]*flatbert "\$@"$/\1/p' "$dir/flatbert-run")
  $emulator "$root/usr/bin/flatbert" classify "I love my new car" | grep -q '"label"'
  echo "$target: $(basename "$deb") unpacks and classifies with its default model"
  rm -rf "$root"
done
