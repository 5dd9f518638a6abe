"""The photo of the end-to-end runs, from aloeL.jpg of Debian's opencv-doc package
(1282x1110): its centre 1024x768 crop (not scaled), or its centre 1282x961 scaled by 1.6
to 2048x1536 (Lanczos).
usage: /usr/bin/python3 aloe.py 1024x768|2048x1536 OUT.png"""
import sys

import cv2

size, out = sys.argv[1], sys.argv[2]
im = cv2.imread("/usr/share/doc/opencv-doc/examples/data/aloeL.jpg", cv2.IMREAD_COLOR)
h, w = im.shape[:2]
if size == "1024x768":
    y, x = (h - 768) // 2, (w - 1024) // 2
    im = im[y:y + 768, x:x + 1024]
elif size == "2048x1536":
    y = (h - 961) // 2
    im = cv2.resize(im[y:y + 961, :1282], (2048, 1536), interpolation=cv2.INTER_LANCZOS4)
else:
    sys.exit(f"aloe.py: size {size}: use 1024x768 or 2048x1536")
cv2.imwrite(out, im)
