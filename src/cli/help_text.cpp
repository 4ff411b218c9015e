#include "cli/help_text.hpp"

namespace cccd::cli {
namespace {

struct HelpText {
  std::string_view english;
  std::string_view vietnamese;
};

// Every description of cccd-verify's command line, by its English text (src/cli/cccd_verify_main.cpp).
constexpr HelpText kHelp[] = {
    {"Print the version and exit", "In phiên bản rồi thoát"},
    {"cccd-verify: read and verify the chip of a Vietnamese citizen identity card (CCCD)",
     "cccd-verify: đọc và xác thực chip của thẻ căn cước công dân Việt Nam (CCCD)"},
    {"Exit codes: 0 verified, 1 not verified, 2 usage, 3 access denied (wrong ID/dates/MRZ), 4 no "
     "card,\n5 communication (card removed, timeout, cancelled), 6 the card misbehaved (secure "
     "messaging,\nmalformed data), 7 local file error or a --trust input refused, 8 internal, 9 no "
     "reader (no PC/SC\nservice or no reader). read --loop exits 0 on Ctrl-C; each card's own error "
     "is printed and the\nloop goes on. The virtual card is read only with --sim.\nJSON (--json): "
     "JSON Schema docs/schema/cccd-result.schema.json, described in\ndocs/json-schema.md; the JSON "
     "is the same in every --lang.\n--redact masks ID numbers (*********345), names (N. T. T. H.), "
     "dates (**/**/1990) and addresses\n(***, Tỉnh Thái Bình) in everything printed.\nEnvironment: "
     "CCCD_ID, the ID number for read when no --id, --id-stdin, --id-file, --can or --mrz is\ngiven "
     "(unlike --id, it is not visible to other users). Wherever an ID number is taken, the line "
     "of\nthe card's QR code is taken too (ID|former ID|name|ddmmyyyy|sex|residence|ddmmyyyy): the "
     "verdict\nthen compares it with the chip. Without any, read asks for it on the terminal "
     "(--loop: for each\ncard). See docs/cli.md and man cccd-verify.",
     "Mã thoát: 0 đã xác thực, 1 chưa xác thực, 2 sai cách dùng, 3 bị từ chối truy cập (sai số định "
     "danh/ngày/MRZ),\n4 không có thẻ, 5 lỗi liên lạc (thẻ bị lấy ra, hết thời gian, bị hủy), 6 thẻ "
     "hoạt động sai\n(kênh bảo mật, dữ liệu sai định dạng), 7 lỗi tệp hoặc đầu vào --trust bị từ "
     "chối, 8 lỗi nội bộ,\n9 không có đầu đọc (không có dịch vụ PC/SC hoặc không có đầu đọc). read "
     "--loop thoát với mã 0 khi nhấn\nCtrl-C; lỗi của từng thẻ được in ra và vòng đọc tiếp tục. Thẻ "
     "ảo chỉ được đọc khi có --sim.\nJSON (--json): JSON Schema docs/schema/cccd-result.schema.json, "
     "mô tả trong docs/json-schema.md;\nJSON giống nhau với mọi --lang.\n--redact che số định danh "
     "(*********345), họ tên (N. T. T. H.), ngày (**/**/1990) và địa chỉ\n(***, Tỉnh Thái Bình) "
     "trong mọi thứ được in ra.\nBiến môi trường: CCCD_ID, số định danh cho lệnh read khi không có "
     "--id, --id-stdin, --id-file, --can hay\n--mrz (khác với --id, người dùng khác không nhìn "
     "thấy). Ở mọi chỗ nhận số định danh đều nhận được dòng\nmã QR của thẻ (số định danh|số CMND "
     "cũ|họ tên|ddmmyyyy|giới tính|nơi thường trú|ddmmyyyy): kết quả\nxác thực so sánh nó với chip. "
     "Nếu không có, read hỏi trên terminal (--loop: hỏi cho từng thẻ).\nXem docs/cli.md và man "
     "cccd-verify."},
    {"Read a card and verify it", "Đọc một thẻ và xác thực"},
    {"Read a virtual card: the built-in CCCD, or the card folder DIR (never read without --sim)",
     "Đọc thẻ ảo: thẻ CCCD có sẵn, hoặc thư mục thẻ DIR (không bao giờ đọc thẻ ảo khi không có --sim)"},
    {"Read the card on this reader: a PC/SC reader name (or part of it), or a libnfc device: nfc (the "
     "first), nfc:CONNSTRING, pn532_uart:/dev/ttyUSB0",
     "Đọc thẻ trên đầu đọc này: tên đầu đọc PC/SC (hoặc một phần tên), hoặc thiết bị libnfc: nfc (thiết bị "
     "đầu tiên), nfc:CONNSTRING, pn532_uart:/dev/ttyUSB0"},
    {"The 12-digit personal identification number (its last 6 digits are the CAN for PACE), or the "
     "card's QR line. Any local user can read a command line (ps, /proc/PID/cmdline): prefer "
     "--id-stdin, --id-file, CCCD_ID or the question on the terminal (no ID option)",
     "Số định danh cá nhân 12 chữ số (6 chữ số cuối là CAN để mở chip bằng PACE), hoặc dòng mã QR "
     "của thẻ. Mọi người dùng trên máy đều đọc được dòng lệnh (ps, /proc/PID/cmdline): nên dùng "
     "--id-stdin, --id-file, CCCD_ID hoặc câu hỏi trên terminal (không có tùy chọn số định danh)"},
    {"Read the ID number from the first line of stdin (not visible to ps)",
     "Đọc số định danh từ dòng đầu của stdin (ps không nhìn thấy)"},
    {"Read the ID number from the first line of FILE, a regular file of yours with mode 0600 (not a symbolic "
     "link)",
     "Đọc số định danh từ dòng đầu của tệp FILE, tệp thường của bạn với quyền 0600 (không phải liên kết "
     "tượng trưng)"},
    {"Date of birth: YYYY-MM-DD or dd/mm/yyyy as on the card (YYYY or YYYY-MM if not on record) or YYMMDD",
     "Ngày sinh: YYYY-MM-DD, dd/mm/yyyy như in trên thẻ (YYYY hoặc YYYY-MM nếu không rõ ngày) hoặc YYMMDD"},
    {"Date of expiry: YYYY-MM-DD, dd/mm/yyyy as on the card or YYMMDD; 'none' or \"Không thời hạn\" if the "
     "card has none",
     "Ngày hết hạn: YYYY-MM-DD, dd/mm/yyyy như in trên thẻ hoặc YYMMDD; 'none' hoặc \"Không thời hạn\" nếu "
     "thẻ không có thời hạn"},
    {"The MRZ text instead of --id (lines separated by newlines)",
     "Nội dung MRZ thay cho --id (các dòng cách nhau bằng xuống dòng)"},
    {"The card access number (6 digits; on a CCCD the ID number's last 6)",
     "Số truy cập thẻ CAN (6 chữ số; trên CCCD là 6 chữ số cuối của số định danh cá nhân)"},
    {"Open the chip with PACE only", "Chỉ mở chip bằng PACE"},
    {"Open the chip with BAC only", "Chỉ mở chip bằng BAC"},
    {"CSCA certificates, CRLs or an ICAO master list (PEM/DER file or folder); repeatable",
     "Chứng thư CSCA, CRL hoặc danh sách chủ ICAO (tệp hoặc thư mục PEM/DER); dùng được nhiều lần"},
    {"Certificate a master list's signer must chain to (for --trust); repeatable",
     "Chứng thư mà người ký danh sách chủ phải nối chuỗi tới (cho --trust); dùng được nhiều lần"},
    {"Print the result as JSON (docs/json-schema.md)", "In kết quả dạng JSON (docs/json-schema.md)"},
    {"Write the face image to FILE (mode 0600): FILE.png converted from JPEG or JPEG 2000; FILE.jpg/.jpeg or "
     "FILE.jp2/.j2k as stored on the chip, when it stores that format",
     "Ghi ảnh chân dung vào FILE (quyền 0600): FILE.png được chuyển từ JPEG hoặc JPEG 2000; FILE.jpg/.jpeg "
     "hoặc FILE.jp2/.j2k đúng như lưu trên chip, khi chip lưu định dạng đó"},
    {"Write the files read to the new folder DIR (mode 0700/0600); an existing DIR is refused",
     "Ghi các tệp đã đọc vào thư mục mới DIR (quyền 0700/0600); DIR đã có thì bị từ chối"},
    {"Write the files read as one evidence document FILE (JSON, mode 0600, atomically; "
     "docs/dump-format.md); an existing FILE is refused",
     "Ghi các tệp đã đọc thành một tài liệu bằng chứng FILE (JSON, quyền 0600, nguyên tử; "
     "docs/dump-format.md); FILE đã có thì bị từ chối"},
    {"With --dump / --evidence: replace an existing folder DIR / file FILE (atomically, in one rename)",
     "Cùng --dump / --evidence: thay thư mục DIR / tệp FILE đã có (nguyên tử, bằng một lần đổi tên)"},
    {"Do not use extended length APDUs", "Không dùng APDU độ dài mở rộng"},
    {"Wait up to SECONDS (default 60) for a card to be placed on the reader",
     "Chờ tối đa SECONDS giây (mặc định 60) để thẻ được đặt lên đầu đọc"},
    {"If the card is pulled away during the read, wait up to 30 s for it to come back and go on",
     "Nếu thẻ bị lấy ra giữa chừng, chờ tối đa 30 giây để thẻ được đặt lại rồi đọc tiếp"},
    {"Do not read DG2 (faster)", "Không đọc DG2 (nhanh hơn)"},
    {"With --wait: read card after card (ask the citizen's ID number or QR line on the terminal, "
     "wait for the card, read, show, wait for its removal) until Ctrl-C, then exit 0",
     "Cùng --wait: đọc hết thẻ này đến thẻ khác (hỏi số định danh hoặc dòng mã QR của công dân trên "
     "terminal, chờ thẻ, đọc, hiển thị, chờ lấy thẻ ra) đến khi nhấn Ctrl-C, rồi thoát với mã 0"},
    {"Active Authentication challenge, 16 hex digits (a server's; default: random)",
     "Thử thách Active Authentication, 16 chữ số hệ 16 (của máy chủ; mặc định: ngẫu nhiên)"},
    {"List the PC/SC readers and the libnfc devices (nfc:CONNSTRING)",
     "Liệt kê các đầu đọc PC/SC và thiết bị libnfc (nfc:CONNSTRING)"},
    {"Verify a dump folder or an evidence document offline (passive authentication)",
     "Xác thực ngoại tuyến một thư mục dữ liệu đã đọc hoặc một tài liệu bằng chứng (xác thực thụ động)"},
    {"The dump folder, or the evidence document file",
     "Thư mục dữ liệu đã đọc, hoặc tệp tài liệu bằng chứng"},
    {"The dump folder", "Thư mục dữ liệu đã đọc"},
    {"Write a dump folder as one evidence document (JSON)",
     "Ghi một thư mục dữ liệu đã đọc thành một tài liệu bằng chứng (JSON)"},
    {"The evidence document to write (mode 0600; default: stdout)",
     "Tài liệu bằng chứng cần ghi (quyền 0600; mặc định: stdout)"},
    {"Replace an existing FILE (atomically)", "Thay tệp FILE đã có (nguyên tử)"},
    {"Write an evidence document as a new dump folder",
     "Ghi một tài liệu bằng chứng thành một thư mục dữ liệu mới"},
    {"The evidence document (- : stdin)", "Tài liệu bằng chứng (- : stdin)"},
    {"The dump folder to create (mode 0700, files 0600)",
     "Thư mục dữ liệu cần tạo (quyền 0700, các tệp 0600)"},
    {"Replace an existing folder DIR (atomically)", "Thay thư mục DIR đã có (nguyên tử)"},
    {"Load a trust store and print what it holds (CSCAs by country, master lists, CRLs)",
     "Nạp kho tin cậy và in nội dung (CSCA theo quốc gia, danh sách chủ, CRL)"},
    {"Certificate a master list's signer must chain to; repeatable",
     "Chứng thư mà người ký danh sách chủ phải nối chuỗi tới; dùng được nhiều lần"},
    {"Print the result as JSON", "In kết quả dạng JSON"},
    {"The Active Authentication challenge the dump must be signed over, 16 hex digits",
     "Thử thách Active Authentication mà dữ liệu phải được ký trên đó, 16 chữ số hệ 16"},
    {"Language of the human output: vi (default, Tiếng Việt) or en",
     "Ngôn ngữ của kết quả cho người đọc: vi (mặc định, Tiếng Việt) hoặc en (English)"},
    {"Mask ID numbers (last 3 digits kept), names (initials), dates (year kept) and addresses in everything "
     "printed, JSON and errors included",
     "Che số định danh (giữ 3 chữ số cuối), họ tên (chữ cái đầu), ngày (giữ năm) và địa chỉ trong mọi thứ "
     "được in, kể cả JSON và lỗi"},
};

}  // namespace

std::string help_text(std::string_view english, Language language) {
  if (language == Language::vi) {
    for (const HelpText& text : kHelp) {
      if (text.english == english) return std::string(text.vietnamese);
    }
  }
  return std::string(english);
}

void use_language(CLI::App& app, Language language) {
  if (language != Language::vi) return;
  auto formatter = app.get_formatter();
  formatter->label("Usage", "Cách dùng");
  formatter->label("OPTIONS", "TÙY CHỌN");
  formatter->label("SUBCOMMAND", "LỆNH");
  formatter->label("SUBCOMMANDS", "LỆNH");
  formatter->label("Positionals", "Tham số");
  formatter->label("REQUIRED", "BẮT BUỘC");
  formatter->label("Excludes", "Không dùng cùng");
  formatter->label("Needs", "Cần");
  formatter->label("Env", "Biến môi trường");
  formatter->label("TEXT", "CHUỖI");
  formatter->label("UINT", "SỐ");
  formatter->label("FILE", "TỆP");
  formatter->label("DIR", "THƯ_MỤC");
  formatter->label("[DIR]", "[THƯ_MỤC]");
  formatter->label("HEX", "HEX");
  formatter->label("[SECONDS]", "[GIÂY]");
  app.option_defaults()->group("Tùy chọn");
  app.set_help_flag("-h,--help", "In hướng dẫn này rồi thoát");
}

}  // namespace cccd::cli
