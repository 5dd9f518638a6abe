#!/bin/sh
# The Python reference's generator has dop::SkipNet's parameter count at widths 32, 64 and
# 128 (skip_net_test checks the C++ side against the same numbers). Exit 77 (skipped)
# without /usr/bin/python3 and python3-torch.
# usage: reference_test.sh tools/reference/dop_reference.py
set -eu
script=$1
/usr/bin/python3 -c 'import torch, cv2' 2>/dev/null || exit 77
for case in 32:152199 64:572455 128:2217831; do
  width=${case%:*}
  expected=${case#*:}
  got=$(/usr/bin/python3 "$script" --size 64 --width "$width" --iters 1 --timing-only \
    --threads 1 | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["params"])')
  if [ "$got" != "$expected" ]; then
    echo "width $width: the reference has $got parameters, dop::SkipNet $expected"
    exit 1
  fi
  echo "width $width: $got parameters"
done
