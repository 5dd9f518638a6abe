#include "dop/image_io.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "bytes.hpp"
#include "dop/atomic_file.hpp"
#include "dop/error.hpp"

namespace dop {
namespace fs = std::filesystem;
namespace {

// libtiff's COMPRESSION_LZW.
constexpr int kTiffLzw = 5;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The sample depths a format can store, best first after the one asked for.
std::vector<int> depths_of(const std::string& ext) {
  if (ext == ".png" || ext == ".pgm" || ext == ".ppm" || ext == ".pnm") return {8, 16};
  if (ext == ".tif" || ext == ".tiff") return {8, 16, 32};
  if (ext == ".exr" || ext == ".hdr" || ext == ".pfm") return {32};
  return {8};  // JPEG, WebP, BMP, ...
}

bool stores_alpha(const std::string& ext) {
  return ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".webp" || ext == ".exr";
}

int choose_depth(int wanted, const std::vector<int>& supported) {
  if (std::find(supported.begin(), supported.end(), wanted) != supported.end()) return wanted;
  // Nearest that keeps the most precision: prefer the largest depth below, else the smallest above.
  int best = supported.front();
  for (int d : supported) {
    if (d <= wanted) best = d;
  }
  return best;
}

std::vector<char> read_bytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("cannot read " + quoted(path) + ": no such file");
  if (fs::is_directory(path, ec)) {
    throw InputError("cannot read " + quoted(path) + ": it is a folder, not an image file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + quoted(path) + ": permission denied or not a file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError("cannot read " + quoted(path) + ": read error");
  if (bytes.empty()) throw InputError("cannot read " + quoted(path) + ": the file is empty");
  return bytes;
}

// H×W×C OpenCV samples → C×H×W float tensor, the samples divided by `scale`.
at::Tensor to_tensor(const cv::Mat& mat, double scale) {
  cv::Mat f;
  mat.convertTo(f, CV_32F, 1.0 / scale);
  const at::Tensor hwc = at::from_blob(f.data, {f.rows, f.cols, f.channels()}, at::kFloat).clone();
  return hwc.permute({2, 0, 1}).contiguous();
}

// A file's values → where they lie on `range` (0 at its low end, 1 at its high end), and
// back; neither clamps.
at::Tensor on_range(const at::Tensor& values, const SampleRange& range) {
  return range.is_unit() ? values : (values - range.low) / (range.high - range.low);
}
at::Tensor values_of(const at::Tensor& unit, const SampleRange& range) {
  return range.is_unit() ? unit : unit * (range.high - range.low) + range.low;
}

// Samples → [0, 1] on `range`. Float files may hold NaN or ±inf: NaN becomes the least
// value, infinities the nearest bound.
at::Tensor to_unit(const at::Tensor& samples, const SampleRange& range) {
  return at::nan_to_num(on_range(samples, range), 0.0, 1.0, 0.0).clamp_(0.0, 1.0);
}

// The range a float file's samples need: [0, 1] where its finite samples fit in it, else
// their least and greatest (a file of one value: that value and one above).
SampleRange float_range(const at::Tensor& samples) {
  const at::Tensor finite = samples.masked_select(at::isfinite(samples));
  if (finite.numel() == 0) return {};
  const double low = finite.min().item<double>();
  const double high = finite.max().item<double>();
  if (low >= 0.0 && high <= 1.0) return {};
  return {low, high > low ? high : low + 1.0};
}

// C×H×W tensor in [0, 1] → H×W×C OpenCV samples of the given depth; 32-bit samples on
// `range`.
cv::Mat to_mat(const at::Tensor& chw, int depth, const SampleRange& range = {}) {
  const at::Tensor unit = chw.detach().to(at::kCPU, at::kFloat).clamp(0.0, 1.0);
  const at::Tensor hwc =
      (depth == 32 ? values_of(unit, range) : unit).permute({1, 2, 0}).contiguous();
  const int c = static_cast<int>(hwc.size(2));
  cv::Mat f(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_32FC(c),
            hwc.data_ptr<float>());
  cv::Mat out;
  if (depth == 8) {
    f.convertTo(out, CV_8U, 255.0);  // rounds to nearest, saturates
  } else if (depth == 16) {
    f.convertTo(out, CV_16U, 65535.0);
  } else {
    out = f.clone();
  }
  return out;
}

uint64_t g_max_pixels = uint64_t{1} << 28;

std::string too_big(const fs::path& path, uint64_t pixels) {
  return "cannot use " + quoted(path) + ": " +
         (pixels ? std::to_string(pixels) + " pixels is" : "it is") + " more than the limit of " +
         std::to_string(g_max_pixels) +
         " pixels (a decompression bomb?); raise it with --max-pixels if the image is genuine";
}

// OpenCV decodes some formats (PFM, HDR, EXR) by first writing the bytes to a temporary file;
// when such a decode throws before OpenCV's own clean-up (a header whose size OpenCV
// refuses), OpenCV 4.6 leaves the file behind. Its temporary files go to a folder of this process
// instead, inside the one the user chose with OPENCV_TEMP_PATH, else the system's; the
// folder is removed when the process ends.
class OpenCvTempFolder {
 public:
  OpenCvTempFolder() {
    std::error_code ec;
    const char* chosen = std::getenv("OPENCV_TEMP_PATH");
    const fs::path base = chosen && *chosen ? fs::path(chosen) : fs::temp_directory_path(ec);
    if (ec) return;
    std::string name = (base / "dop-restore-opencv-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) return;  // then OpenCV's own default is used
    path_ = name;
    ::setenv("OPENCV_TEMP_PATH", name.c_str(), 1);
  }
  ~OpenCvTempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  OpenCvTempFolder(const OpenCvTempFolder&) = delete;
  OpenCvTempFolder& operator=(const OpenCvTempFolder&) = delete;

 private:
  fs::path path_;
};

void use_private_opencv_temp_folder() { static const OpenCvTempFolder folder; }

using bytes::is_jpeg;
using bytes::is_png;
using bytes::is_tiff;
using bytes::read32;
using bytes::starts_with;

// An APNG has an acTL chunk before its first IDAT.
bool is_animated_png(const std::vector<char>& bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t at = 8;
  while (at + 12 <= bytes.size()) {
    const uint32_t length = read32(p + at, true);
    if (starts_with(bytes, at + 4, "acTL")) return true;
    if (starts_with(bytes, at + 4, "IDAT") || length > bytes.size() - at - 12) return false;
    at += 12 + length;
  }
  return false;
}

// Pages of a classic TIFF: the length of its chain of image file directories.
int tiff_pages(const std::vector<char>& bytes) {
  if (bytes.size() < 8) return 1;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const bool big = bytes[0] == 'M';
  uint64_t offset = read32(p + 4, big);
  int pages = 0;
  while (offset != 0 && offset + 2 <= bytes.size() && pages < 100000) {
    const unsigned entries =
        big ? (p[offset] << 8) | p[offset + 1] : (p[offset + 1] << 8) | p[offset];
    const uint64_t next = offset + 2 + 12 * uint64_t{entries};
    ++pages;
    if (next + 4 > bytes.size()) break;
    const uint64_t following = read32(p + next, big);
    if (following <= offset) break;  // a loop or garbage: stop counting
    offset = following;
  }
  return std::max(pages, 1);
}

// Width, height and orientation of a classic TIFF's first page (0 where absent).
struct TiffLayout {
  uint32_t width = 0, height = 0, orientation = 0;
};

TiffLayout tiff_layout(const std::vector<char>& bytes) {
  TiffLayout layout;
  if (bytes.size() < 8) return layout;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const bool big = bytes[0] == 'M';
  const auto u16 = [&](size_t at) {
    return big ? (p[at] << 8) | p[at + 1] : (p[at + 1] << 8) | p[at];
  };
  const uint64_t ifd = read32(p + 4, big);
  if (ifd + 2 > bytes.size()) return layout;
  const unsigned entries = static_cast<unsigned>(u16(ifd));
  for (unsigned i = 0; i < entries && ifd + 2 + 12 * (i + 1) <= bytes.size(); ++i) {
    const size_t e = ifd + 2 + 12 * i;
    const unsigned tag = static_cast<unsigned>(u16(e));
    const unsigned type = static_cast<unsigned>(u16(e + 2));
    const uint32_t value = type == 3 ? static_cast<uint32_t>(u16(e + 8)) : read32(p + e + 8, big);
    if (tag == 256) layout.width = value;
    if (tag == 257) layout.height = value;
    if (tag == 274) layout.orientation = value;
  }
  return layout;
}

// OpenCV's TIFF decoder turns the pixels upright by the orientation tag, even for
// IMREAD_UNCHANGED (the other decoders do not). Undoes that, so that the pixels are the
// file's as stored, as for every other format, and the tag, carried over, still fits them.
void undo_tiff_orientation(const std::vector<char>& bytes, cv::Mat& mat) {
  const TiffLayout layout = tiff_layout(bytes);
  if (layout.orientation < 2 || layout.orientation > 8) return;
  // A quarter turn swaps the sides: when they are not swapped, the decoder did not turn it.
  const bool quarter_turn = layout.orientation >= 5;
  const bool swapped = static_cast<uint32_t>(mat.cols) == layout.height &&
                       static_cast<uint32_t>(mat.rows) == layout.width;
  if (quarter_turn && layout.width != layout.height && !swapped) return;
  cv::Mat out;
  switch (layout.orientation) {
    case 2:
      cv::flip(mat, out, 1);
      break;
    case 3:
      cv::rotate(mat, out, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(mat, out, 0);
      break;
    case 5:
      cv::transpose(mat, out);
      break;
    case 6:
      cv::rotate(mat, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    case 7:
      cv::transpose(mat, out);
      cv::rotate(out, out, cv::ROTATE_180);
      break;
    default:
      cv::rotate(mat, out, cv::ROTATE_90_CLOCKWISE);
      break;  // 8
  }
  mat = out;
}

// The number of components in a JPEG's frame header (4: CMYK or YCCK).
int jpeg_components(const std::vector<char>& bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t at = 2;
  while (at + 10 <= bytes.size() && p[at] == 0xFF) {
    const unsigned marker = p[at + 1];
    const size_t length = (p[at + 2] << 8) | p[at + 3];
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return p[at + 9];
    if (marker == 0xDA) break;
    at += 2 + length;
  }
  return 0;
}

// Refuses what OpenCV cannot read faithfully, warns about what it reads in part.
void inspect_container(const std::vector<char>& bytes, const fs::path& path,
                       std::vector<std::string>& warnings) {
  if (starts_with(bytes, 0, "GIF8")) {
    throw InputError("cannot use " + quoted(path) +
                     ": GIF images are not supported; convert it to PNG first (a still "
                     "frame of an animation)");
  }
  if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBPVP8X") && bytes.size() > 20 &&
      (static_cast<unsigned char>(bytes[20]) & 0x02) != 0) {
    throw InputError("cannot use " + quoted(path) +
                     ": animated WebP is not supported; extract the frame to restore first");
  }
  if (is_png(bytes) && is_animated_png(bytes)) {
    warnings.emplace_back(
        "animated PNG: only its default image (the first frame) is restored; "
        "the output is a still PNG");
  }
  if (is_tiff(bytes)) {
    const int pages = tiff_pages(bytes);
    if (pages > 1) {
      warnings.push_back("multi-page TIFF (" + std::to_string(pages) +
                         " pages): only the first page is restored");
    }
  }
  if (is_jpeg(bytes) && jpeg_components(bytes) == 4) {
    warnings.emplace_back("CMYK JPEG: restored and written as RGB");
  }
}

}  // namespace

void set_max_image_pixels(uint64_t pixels) {
  g_max_pixels = pixels;
  // OpenCV checks its own limit on the header, before decoding any pixel.
  ::setenv("CV_IO_MAX_IMAGE_PIXELS", std::to_string(pixels).c_str(), 1);
}

uint64_t max_image_pixels() { return g_max_pixels; }

Image load_image(const fs::path& path) { return decode_image(read_bytes(path), path); }

Image decode_image(const std::vector<char>& bytes, const fs::path& path) {
  if (bytes.empty()) throw InputError("cannot read " + quoted(path) + ": the file is empty");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw InputError("cannot use " + quoted(path) + ": files of 2 GiB and more are not read");
  }
  use_private_opencv_temp_folder();
  std::vector<std::string> warnings;
  inspect_container(bytes, path, warnings);
  cv::Mat mat;
  try {
    // As unsigned bytes: some decoders (WebP's) refuse a buffer of any other type.
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    mat = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    if (std::string(e.what()).find("CV_IO_MAX_IMAGE_PIXELS") != std::string::npos)
      throw InputError(too_big(path, 0));
    throw InputError("cannot decode " + quoted(path) + ": " + e.what());
  }
  if (mat.empty()) {
    throw InputError("cannot decode " + quoted(path) +
                     ": not an image in a format this build of OpenCV reads, or the file is "
                     "truncated or damaged");
  }
  if (is_tiff(bytes)) undo_tiff_orientation(bytes, mat);
  if (mat.dims != 2 || mat.rows < 1 || mat.cols < 1) {
    throw InputError("cannot use " + quoted(path) + ": the image has no pixels");
  }
  if (static_cast<uint64_t>(mat.rows) * static_cast<uint64_t>(mat.cols) > g_max_pixels) {
    throw InputError(
        too_big(path, static_cast<uint64_t>(mat.rows) * static_cast<uint64_t>(mat.cols)));
  }

  Image image;
  double scale = 1.0;
  switch (mat.depth()) {
    case CV_8U:
      image.bit_depth = 8;
      scale = 255.0;
      break;
    case CV_16U:
      image.bit_depth = 16;
      scale = 65535.0;
      break;
    case CV_32F:
    case CV_64F:
      image.bit_depth = 32;
      break;
    default:
      throw InputError("cannot use " + quoted(path) +
                       ": unsupported sample type (only 8/16-bit unsigned or float images)");
  }

  const int c = mat.channels();
  cv::Mat color;
  cv::Mat alpha;
  if (c == 1) {
    color = mat;
  } else if (c == 2) {  // gray + alpha
    std::vector<cv::Mat> planes;
    cv::split(mat, planes);
    color = planes[0];
    alpha = planes[1];
  } else if (c == 3) {
    cv::cvtColor(mat, color, cv::COLOR_BGR2RGB);
  } else if (c == 4) {
    std::vector<cv::Mat> planes;
    cv::split(mat, planes);
    alpha = planes[3];
    cv::merge(std::vector<cv::Mat>{planes[2], planes[1], planes[0]}, color);
  } else {
    throw InputError("cannot use " + quoted(path) + ": " + std::to_string(c) +
                     " channels (only gray, gray+alpha, RGB and RGBA)");
  }
  const at::Tensor samples = to_tensor(color, scale);
  if (image.bit_depth == 32) image.range = float_range(samples);
  image.pixels = to_unit(samples, image.range);
  if (!alpha.empty()) image.alpha = to_unit(to_tensor(alpha, scale), {});
  image.metadata = read_metadata(bytes, warnings);
  image.warnings = std::move(warnings);
  return image;
}

void check_image_output(const fs::path& path, bool overwrite) {
  const std::string ext = lower_extension(path);
  if (ext.empty()) {
    throw OutputError("cannot write " + quoted(path) +
                      ": no file extension to choose the image format from (e.g. .png)");
  }
  if (!cv::haveImageWriter(path.string())) {
    throw OutputError("cannot write " + quoted(path) + ": unknown image format '" + ext +
                      "' (use e.g. .png, .tif, .jpg, .webp, .bmp)");
  }
  check_output_path(path, overwrite);
}

SaveReport save_image(const fs::path& path, const Image& image, const SaveOptions& options) {
  check_image_output(path, options.overwrite);
  const std::string ext = lower_extension(path);
  const int wanted = options.bit_depth == 0 ? image.bit_depth : options.bit_depth;
  if (wanted != 8 && wanted != 16 && wanted != 32) {
    throw UsageError("bit depth must be 8, 16 or 32, got " + std::to_string(wanted));
  }
  SaveReport report;
  report.bit_depth = choose_depth(wanted, depths_of(ext));
  report.alpha_dropped = image.alpha.defined() && !stores_alpha(ext);

  cv::Mat mat = to_mat(image.pixels, report.bit_depth, image.range);
  if (report.bit_depth != 32 && !image.range.is_unit()) {
    std::ostringstream note;
    note << "float samples from " << image.range.low << " to " << image.range.high << " written as "
         << report.bit_depth << "-bit integers, stretched to their full range";
    report.notes.push_back(note.str());
  }
  if (mat.channels() == 3) cv::cvtColor(mat, mat, cv::COLOR_RGB2BGR);
  if (image.alpha.defined() && !report.alpha_dropped) {
    cv::Mat a = to_mat(image.alpha, report.bit_depth);
    if (mat.channels() == 1) cv::cvtColor(mat, mat, cv::COLOR_GRAY2BGR);
    std::vector<cv::Mat> planes;
    cv::split(mat, planes);
    planes.push_back(a);
    cv::merge(planes, mat);
  }

  if (options.quality < 1 || options.quality > 100) {
    throw UsageError("quality must be 1 to 100, got " + std::to_string(options.quality));
  }
  if (options.png_compression < 0 || options.png_compression > 9) {
    throw UsageError("PNG compression must be 0 to 9, got " +
                     std::to_string(options.png_compression));
  }
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg" || ext == ".jpe") {
    report.quality = options.quality;
    params = {cv::IMWRITE_JPEG_QUALITY, options.quality};
  } else if (ext == ".webp") {
    report.quality = options.quality;
    params = {cv::IMWRITE_WEBP_QUALITY, options.quality == 100 ? 101 : options.quality};
  } else if (ext == ".png") {
    report.png_compression = options.png_compression;
    params = {cv::IMWRITE_PNG_COMPRESSION, options.png_compression};
  } else if (ext == ".tif" || ext == ".tiff") {
    // LZW, lossless at every depth. OpenCV's own choice for 32-bit float RGB is SGI LogLuv,
    // which rounds samples by up to 2% and which many readers cannot open.
    params = {cv::IMWRITE_TIFF_COMPRESSION, kTiffLzw};
    if (options.keep_metadata && image.metadata.resolution().defined()) {
      // Exiv2 leaves a TIFF's image tags to the encoder: the resolution goes in here.
      const Resolution r = image.metadata.resolution();
      const auto whole = [](double v) { return static_cast<int>(std::max(1L, std::lround(v))); };
      const int unit = r.unit == Resolution::Unit::kInch         ? 2
                       : r.unit == Resolution::Unit::kCentimetre ? 3
                                                                 : 1;
      params.insert(params.end(), {cv::IMWRITE_TIFF_RESUNIT, unit, cv::IMWRITE_TIFF_XDPI,
                                   whole(r.x), cv::IMWRITE_TIFF_YDPI, whole(r.y)});
    }
  }

  std::vector<uchar> encoded;
  try {
    if (!cv::imencode(ext, mat, encoded, params)) {
      throw OutputError("cannot encode " + quoted(path) + " as " + ext);
    }
  } catch (const cv::Exception& e) {
    throw OutputError("cannot encode " + quoted(path) + ": " + e.what());
  }
  if (options.keep_metadata && !image.metadata.empty()) {
    encoded = embed_metadata(std::move(encoded), ext, image.metadata, mat.cols, mat.rows,
                             mat.channels(), report.notes);
    report.metadata = image.metadata.describe();
  }
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()),
      options.overwrite);
  return report;
}

at::Tensor pixels_on_range(const Image& image, const SampleRange& range) {
  if (image.range.low == range.low && image.range.high == range.high) return image.pixels;
  return on_range(values_of(image.pixels, image.range), range);
}

at::Tensor resize_area(const at::Tensor& chw, int64_t height, int64_t width) {
  if (chw.dim() != 3 || height < 1 || width < 1 || chw.size(0) > CV_CN_MAX) {
    throw UsageError("resize_area needs a C×H×W image (C ≤ 512) and a size of at least 1×1");
  }
  const int64_t c = chw.size(0);
  const at::Tensor hwc = chw.to(at::kCPU, at::kFloat).permute({1, 2, 0}).contiguous();
  const cv::Mat in(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)),
                   CV_32FC(static_cast<int>(c)), hwc.data_ptr<float>());
  cv::Mat out;
  cv::resize(in, out, cv::Size(static_cast<int>(width), static_cast<int>(height)), 0, 0,
             cv::INTER_AREA);
  const at::Tensor t = at::from_blob(out.data, {height, width, c}, at::kFloat);
  return t.permute({2, 0, 1}).contiguous().clamp(0.0, 1.0);
}

}  // namespace dop
