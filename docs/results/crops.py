"""The studies' images: the tuning photos (the paper's four and photos of Debian's
opencv-doc package) and centre crops scaled with INTER_AREA. Imported by the study
scripts under docs/results (scikit-image's photos, the unseen check, come from skimage)."""
import cv2

OPENCV_DOC = "/usr/share/doc/opencv-doc/examples/data"
TUNING = {"F16": "paper/F16.png", "Peppers": "paper/Peppers.png",
          "Baboon": "paper/Baboon.png", "kodim03": "paper/kodim03.png",
          "fruits": "doc/fruits.jpg", "building": "doc/building.jpg",
          "butterfly": "doc/butterfly.jpg", "leuven": "doc/leuvenA.jpg",
          "whale": "doc/rubberwhale1.png", "graf": "doc/graf1.png",
          "starry": "doc/starry_night.jpg", "orange": "doc/orange.jpg"}


def tuning_photo(root, name):
    """A tuning photo (BGR), `root` the repository."""
    where, file = TUNING[name].split("/", 1)
    folder = f"{root}/data/paper-images" if where == "paper" else OPENCV_DOC
    im = cv2.imread(f"{folder}/{file}", cv2.IMREAD_COLOR)
    if im is None:
        raise SystemExit(f"cannot read {folder}/{file} (tools/install-deps.sh --bench)")
    return im


def crop(im, w, h, gray=False):
    """The largest centred crop of w:h, scaled to w x h (INTER_AREA); BGR from RGB input
    is the caller's business, gray converts BGR."""
    H, W = im.shape[:2]
    cw, ch = (W, int(W * h / w)) if W * h / w <= H else (int(H * w / h), H)
    y0, x0 = (H - ch) // 2, (W - cw) // 2
    out = cv2.resize(im[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(out, cv2.COLOR_BGR2GRAY) if gray and out.ndim == 3 else out
