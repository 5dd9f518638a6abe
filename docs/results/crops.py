"""The studies' images: the tuning photos (the paper's four and photos of Debian's
opencv-doc package), scikit-image's sample photos (the unseen check, kept out of all
tuning) and centre crops scaled with INTER_AREA. Imported by the study scripts under
docs/results."""
import cv2

OPENCV_DOC = "/usr/share/doc/opencv-doc/examples/data"
TUNING = {"F16": "paper/F16.png", "Peppers": "paper/Peppers.png",
          "Baboon": "paper/Baboon.png", "kodim03": "paper/kodim03.png",
          "fruits": "doc/fruits.jpg", "building": "doc/building.jpg",
          "butterfly": "doc/butterfly.jpg", "leuven": "doc/leuvenA.jpg",
          "whale": "doc/rubberwhale1.png", "graf": "doc/graf1.png",
          "starry": "doc/starry_night.jpg", "orange": "doc/orange.jpg"}
PAPER = ("F16", "Peppers", "Baboon", "kodim03")


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


def no_early_stopping_photo(root, name):
    """A tuning photo at 128x128 as the no-early-stopping check has it: the paper's images
    scaled whole (kodim03's 3:2 squeezed to 1:1, unlike the image bench's crop), the other
    photos cropped as the stop study crops them (building in gray)."""
    im = tuning_photo(root, name)
    if name in PAPER:
        return cv2.resize(im, (128, 128), interpolation=cv2.INTER_AREA)
    return crop(im, 128, 128, gray=name == "building")


def unseen_photo(name):
    """One of scikit-image's photos, named <photo>-<width>[x<height>] (astronaut-160,
    coffee-192x128, motorcycle-176x112, ...), cropped to that size: BGR, or gray for the
    gray photos (camera, brick)."""
    import skimage.data as data
    photo, size = name.rsplit("-", 1)
    w, h = (int(v) for v in size.split("x")) if "x" in size else (int(size), int(size))
    load = {"motorcycle": lambda: data.stereo_motorcycle()[0],
            "ihc": data.immunohistochemistry, "hubble": data.hubble_deep_field}
    loader = load.get(photo) or getattr(data, photo, None)
    if loader is None:
        raise SystemExit(f"no scikit-image photo '{photo}'")
    out = crop(loader(), w, h)
    return cv2.cvtColor(out, cv2.COLOR_RGB2BGR) if out.ndim == 3 else out
