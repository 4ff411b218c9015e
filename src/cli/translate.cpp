#include "cli/translate.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace cccd::cli {
namespace {

struct Phrase {
  std::string_view english;
  std::string_view vietnamese;
};

// The library's phrases (src/verify, src/access, src/reader, src/transport ...) and the CLI's own. Order
// does not matter: the longest phrase that matches at a position wins.
constexpr Phrase kPhrases[] = {
    // access
    {"the dump does not say how the chip was opened",
     "bản sao dữ liệu không ghi chip đã được mở bằng cách nào"},
    {"an unrecognised protocol", "một giao thức không nhận ra"},
    {"the chip has no EF.CardAccess, so it offers no PACE",
     "chip không có EF.CardAccess nên không hỗ trợ PACE"},
    {"EF.CardAccess offers no PACE this library supports", "EF.CardAccess không có PACE mà thư viện hỗ trợ"},
    {"); BAC used", "); đã dùng BAC"},
    {"PACE failed (", "PACE không thành công ("},
    // chip authenticity
    {"PACE-CAM ran, but DG14 was not read or is not covered by a valid EF.SOD",
     "PACE-CAM đã chạy, nhưng DG14 không được đọc hoặc không có trong EF.SOD hợp lệ"},
    {"the chip proved it holds the private Chip Authentication key of DG14",
     "chip đã chứng minh có khóa bí mật Chip Authentication của DG14"},
    {"the chip's authentication data does not match any Chip Authentication key of DG14",
     "dữ liệu xác thực của chip không khớp khóa Chip Authentication nào của DG14"},
    {"the chip did not prove it holds the private key of DG14",
     "chip không chứng minh được có khóa bí mật của DG14"},
    {" failed at read time: ", " không đạt khi đọc thẻ: "},
    {" performed at read time, but DG14 was not read or is not covered by a valid EF.SOD",
     " đã thực hiện khi đọc thẻ, nhưng DG14 không được đọc hoặc không có trong EF.SOD hợp lệ"},
    {" performed at read time: the chip proved it holds the private key of DG14",
     " đã thực hiện khi đọc thẻ: chip đã chứng minh có khóa bí mật của DG14"},
    {"the chip offers neither Chip nor Active Authentication, and the policy requires a proof that the chip "
     "is genuine",
     "chip không hỗ trợ Chip Authentication lẫn Active Authentication, mà chính sách đòi hỏi bằng chứng chip "
     "là thật"},
    {"the chip offers neither Chip nor Active Authentication",
     "chip không hỗ trợ Chip Authentication lẫn Active Authentication"},
    {"the chip offers Chip/Active Authentication, but the dump holds no proof that either was performed: a "
     "clone cannot be ruled out",
     "chip hỗ trợ Chip/Active Authentication, nhưng bản sao dữ liệu không có bằng chứng đã thực hiện: không "
     "loại trừ được thẻ giả"},
    {"; but this is the reading app's record, which a copy of a genuine card's session could replay: only "
     "Active Authentication over a challenge the verifier chose (--challenge) proves the chip was there",
     "; nhưng đây là bản ghi của ứng dụng đọc thẻ, có thể phát lại từ bản sao phiên đọc của một thẻ thật: "
     "chỉ "
     "Active Authentication trên thử thách do bên kiểm tra chọn (--challenge) mới chứng minh chip có mặt"},
    {"Chip Authentication not performed: ", "chưa thực hiện Chip Authentication: "},
    {"the dump holds no signature over the given challenge",
     "bản sao dữ liệu không có chữ ký trên thử thách đã cho"},
    {"the signature is over another challenge than the one given (a replayed or other read)",
     "chữ ký là trên một thử thách khác thử thách đã cho (bản đọc bị phát lại hoặc của lần đọc khác)"},
    {"the chip gave no signature (it refused INTERNAL AUTHENTICATE)",
     "chip không đưa ra chữ ký (chip từ chối INTERNAL AUTHENTICATE)"},
    {"the recorded challenge is not 8 bytes", "thử thách được ghi lại không dài 8 byte"},
    {"DG15 was not read or is not covered by a valid EF.SOD, so its key proves nothing",
     "DG15 không được đọc hoặc không có trong EF.SOD hợp lệ, nên khóa của nó không chứng minh điều gì"},
    {"an ECDSA key needs DG14 (its ActiveAuthenticationInfo names the hash), and DG14 was not read or is not "
     "covered by a valid EF.SOD",
     "khóa ECDSA cần DG14 (ActiveAuthenticationInfo trong đó chỉ định hàm băm), mà DG14 không được đọc hoặc "
     "không có trong EF.SOD hợp lệ"},
    {"DG14 has no ActiveAuthenticationInfo naming a supported ECDSA hash",
     "DG14 không có ActiveAuthenticationInfo chỉ định một hàm băm ECDSA được hỗ trợ"},
    {"): the chip signed the challenge with the private key of DG15",
     "): chip đã ký thử thách bằng khóa bí mật của DG15"},
    {", over the challenge given", ", trên thử thách đã cho"},
    {", over the challenge recorded in the dump", ", trên thử thách ghi trong bản sao dữ liệu"},
    {" performed at read time", " đã thực hiện khi đọc thẻ"},
    // consistency and parsing
    {" was not read", " không được đọc"},
    {" does not parse: ", " không phân tích được: "},
    {"check aborted: out of memory", "kiểm tra bị dừng: hết bộ nhớ"},
    {"check aborted by an internal error", "kiểm tra bị dừng do lỗi nội bộ"},
    {"check aborted: ", "kiểm tra bị dừng: "},
    {"DG1 (MRZ) and DG13 differ in: ", "DG1 (MRZ) và DG13 khác nhau ở: "},
    {"ID number", "số định danh cá nhân"},
    {"document number", "số giấy tờ"},
    {"date of birth", "ngày sinh"},
    {"date of expiry", "ngày hết hạn"},
    {"sex", "giới tính"},
    {"name", "họ tên"},
    {"DG1 (MRZ) and DG13 agree on the ID number, document number, dates of birth and expiry, and name",
     "DG1 (MRZ) và DG13 khớp nhau về số định danh cá nhân, số giấy tờ, ngày sinh, ngày hết hạn và họ tên"},
    {" (the MRZ holds the name cut as ICAO 9303 allows)",
     " (MRZ ghi họ tên bị cắt ngắn như ICAO 9303 cho phép)"},
    // the card's printed QR code against DG13 (verify/qr_consistency)
    {"the QR code printed on the card and the chip (DG13) differ in: ",
     "mã QR in trên thẻ và chip (DG13) khác nhau ở: "},
    {" (the card's front may be forged, or the QR line is another card's)",
     " (mặt trước thẻ có thể bị làm giả, hoặc dòng QR là của thẻ khác)"},
    {"the QR code printed on the card and the chip (DG13) agree on the ID number, former ID number, name, "
     "date of birth, sex, place of residence and date of issue",
     "mã QR in trên thẻ và chip (DG13) khớp nhau về số định danh cá nhân, số CMND/CCCD cũ, họ tên, ngày "
     "sinh, giới tính, nơi thường trú và ngày cấp"},
    {" (the scanner typed the text without diacritics; compared without them)",
     " (máy quét gõ chữ không dấu; đã so sánh không dấu)"},
    {"former ID number", "số CMND/CCCD cũ"},
    {"place of residence", "nơi thường trú"},
    {"date of issue", "ngày cấp"},
    // the QR line a scanner typed (lds/qr_line): "the QR line's FIELD is ..." reads "dòng QR: trường FIELD
    // ..."
    {"the digits came out as the symbols of another keyboard layout (AZERTY)",
     "các chữ số hiện ra thành ký hiệu của một kiểu bàn phím khác (AZERTY)"},
    {": check the scanner's keyboard layout (it must match the computer's, and type Unicode text)",
     ": hãy kiểm tra kiểu bàn phím của máy quét (phải giống của máy tính, và gõ được chữ Unicode)"},
    {"the QR line's separators came out as '", "dấu phân cách của dòng QR hiện ra thành '"},
    {"' instead of '|'", "' thay vì '|'"},
    {"the QR line's sex is neither Nam nor Nữ", "dòng QR: giới tính không phải Nam hay Nữ"},
    {"the QR line's ", "dòng QR: trường "},
    {"the QR line has no ", "dòng QR thiếu trường "},
    {"the scanner replaced letters of the ", "máy quét đã thay chữ của trường "},
    {" with '?'", " bằng '?'"},
    {" is not UTF-8 text", " không phải văn bản UTF-8"},
    {" holds a control character", " chứa ký tự điều khiển"},
    {" is garbled (UTF-8 read as another character set)", " bị lỗi mã hóa (UTF-8 bị đọc theo bộ mã khác)"},
    {" is not ddmmyyyy", " không có dạng ddmmyyyy"},
    {" is not a real date", " không phải ngày có thật"},
    {" is not 12 digits", " không phải 12 chữ số"},
    {" is not 9 or 12 digits (or empty)", " không phải 9 hoặc 12 chữ số (hay để trống)"},
    {"the line is garbled", "dòng bị lỗi mã hóa"},
    {"give the 12-digit ID number or scan the QR code on the front of the card",
     "hãy nhập số định danh 12 chữ số hoặc quét mã QR ở mặt trước thẻ"},
    {"the QR line is too long for a CCCD's QR code", "dòng QR quá dài so với mã QR của CCCD"},
    {"a CCCD QR line has 7 fields separated by '|' (ID | former ID | name | birth | sex | residence | issue "
     "date); this one has ",
     "dòng QR của CCCD có 7 trường phân cách bằng '|' (số định danh | số cũ | họ tên | ngày sinh | giới tính "
     "| nơi thường trú | ngày cấp); dòng này có "},
    // document validity
    {"the card does not expire", "thẻ không có thời hạn"},
    {"the card has expired", "thẻ đã hết hạn"},
    {"the card is within its validity", "thẻ còn hạn sử dụng"},
    {"neither DG1 nor DG13 gives a readable date of expiry",
     "cả DG1 lẫn DG13 đều không cho ngày hết hạn đọc được"},
    {" (accepted: the policy accepts expired cards)", " (chấp nhận: chính sách chấp nhận thẻ hết hạn)"},
    // data integrity
    {"EF.SOD does not hold an LDS security object", "EF.SOD không chứa đối tượng bảo mật LDS"},
    {"the contentType attribute of EF.SOD differs from its content type",
     "thuộc tính contentType của EF.SOD khác kiểu nội dung của nó"},
    {"EF.SOD has no signed attributes", "EF.SOD không có thuộc tính được ký"},
    {"EF.SOD uses an unsupported digest algorithm", "EF.SOD dùng thuật toán băm không được hỗ trợ"},
    {"the messageDigest attribute of EF.SOD does not match its content",
     "thuộc tính messageDigest của EF.SOD không khớp nội dung của nó"},
    {"SOD signature cannot be checked: ", "không kiểm tra được chữ ký SOD: "},
    {"SOD signature does not verify", "chữ ký SOD không hợp lệ"},
    {"EF.SOD uses an unsupported data group hash algorithm",
     "EF.SOD dùng thuật toán băm nhóm dữ liệu không được hỗ trợ"},
    {" does not match its hash in EF.SOD", " không khớp giá trị băm trong EF.SOD"},
    {" was read but EF.SOD holds no hash for it", " đã được đọc nhưng EF.SOD không có giá trị băm của nó"},
    {"EF.SOD was not read, so no data group can be checked",
     "EF.SOD không được đọc nên không kiểm tra được nhóm dữ liệu nào"},
    {"data group hashes cannot be checked: ", "không kiểm tra được giá trị băm của các nhóm dữ liệu: "},
    {"no data group that EF.SOD lists was read", "không nhóm dữ liệu nào EF.SOD liệt kê được đọc"},
    {"the EF.SOD signature verifies and the ", "chữ ký EF.SOD hợp lệ và "},
    {" data groups read match their ", " nhóm dữ liệu đã đọc khớp giá trị băm "},
    {" hashes", ""},
    // signer trust
    {"the document signer certificate was not yet valid at the SOD signing time",
     "chứng thư người ký tài liệu chưa có hiệu lực vào lúc ký SOD"},
    {"the document signer certificate had expired at the SOD signing time",
     "chứng thư người ký tài liệu đã hết hạn vào lúc ký SOD"},
    {"the document signer certificate is not yet valid", "chứng thư người ký tài liệu chưa có hiệu lực"},
    {"the document signer certificate has malformed extensions",
     "chứng thư người ký tài liệu có phần mở rộng sai định dạng"},
    {"the document signer certificate carries a critical extension this library does not know",
     "chứng thư người ký tài liệu có phần mở rộng bắt buộc mà thư viện không biết"},
    {"the key usage of the document signer certificate does not allow signatures",
     "mục đích sử dụng khóa của chứng thư người ký tài liệu không cho phép ký"},
    {"the certificate that issued the document signer is not a CA",
     "chứng thư đã cấp cho người ký tài liệu không phải của một CA"},
    {"the key usage of the CSCA that issued the document signer does not allow certificate signing",
     "mục đích sử dụng khóa của CSCA cấp cho người ký tài liệu không cho phép ký chứng thư"},
    {"the CSCA was not valid when it issued the document signer certificate",
     "CSCA không có hiệu lực khi cấp chứng thư người ký tài liệu"},
    {"the CSCA was not yet valid at the SOD signing time", "CSCA chưa có hiệu lực vào lúc ký SOD"},
    {"the CSCA had expired at the SOD signing time", "CSCA đã hết hạn vào lúc ký SOD"},
    {"no CSCA configured: whether the document signer is trusted is unknown",
     "chưa cấu hình CSCA (--trust): chưa biết người ký tài liệu có đáng tin cậy không"},
    {"EF.SOD gives no document signer certificate to check",
     "EF.SOD không có chứng thư người ký tài liệu để kiểm tra"},
    {"the signingTime attribute of EF.SOD does not parse",
     "thuộc tính signingTime của EF.SOD không phân tích được"},
    {"the signingTime of EF.SOD lies in the future", "signingTime của EF.SOD nằm ở tương lai"},
    {"the document signer's signature does not verify with the CSCA of the trust store named as its issuer",
     "chữ ký của chứng thư người ký tài liệu không hợp lệ với CSCA trong kho tin cậy mang tên bên cấp"},
    {"no CSCA in the trust store issued the document signer certificate",
     "không CSCA nào trong kho tin cậy đã cấp chứng thư người ký tài liệu"},
    {"the document signer certificate is revoked (on the CRL of ",
     "chứng thư người ký tài liệu đã bị thu hồi (trong CRL của "},
    {"the document signer chains to a configured libcccd test CSCA (not a real issuer)",
     "người ký tài liệu nối chuỗi tới CSCA THỬ NGHIỆM của libcccd đã cấu hình (không phải cơ quan cấp thật)"},
    {"the document signer chains to a configured CSCA",
     "người ký tài liệu nối chuỗi tới một CSCA đã cấu hình"},
    {" link certificate(s)", " chứng thư liên kết"},
    {" through ", " qua "},
    {", valid at the SOD signing time", ", có hiệu lực vào lúc ký SOD"},
    {" (EF.SOD gives no signing time)", " (EF.SOD không ghi thời điểm ký)"},
    {"; not revoked by its CSCA's CRL", "; không bị thu hồi theo CRL của CSCA"},
    {"; no CRL of its CSCA in the trust store", "; kho tin cậy không có CRL của CSCA"},
    {" CRL(s) bearing its CSCA's name did not verify with a CSCA of the store and were ignored",
     " CRL mang tên CSCA của nó không được CSCA nào trong kho xác minh nên đã bị bỏ qua"},
    // errors of the read
    {"PACE: the chip rejected the CAN",
     "PACE: chip từ chối CAN (6 chữ số cuối của số định danh cá nhân): kiểm tra lại số định danh"},
    {"PACE: the chip rejected the MRZ key (document number, birth and expiry dates)",
     "PACE: chip từ chối khóa MRZ (số giấy tờ, ngày sinh và ngày hết hạn): kiểm tra lại các thông tin này"},
    {"PACE: the CAN is blocked or suspended",
     "PACE: CAN (6 chữ số cuối của số định danh cá nhân) bị khóa hoặc tạm ngưng"},
    {" tries left)", " lần thử còn lại)"},
    {"the chip rejected the MRZ key: check document number, birth and expiry",
     "chip từ chối khóa MRZ: kiểm tra lại số giấy tờ, ngày sinh và ngày hết hạn"},
    {"BAC: the terminal's authentication MAC does not verify",
     "BAC: mã MAC xác thực của thiết bị đọc không hợp lệ"},
    {"BAC: the terminal's cryptogram does not hold the challenge",
     "BAC: bản mã của thiết bị đọc không chứa thử thách"},
    {"PC/SC: no card was presented in the time allowed",
     "PC/SC: không có thẻ nào được đặt lên trong thời gian cho phép"},
    {"PC/SC: the card did not answer; it left the field",
     "PC/SC: thẻ không trả lời; thẻ đã rời khỏi đầu đọc"},
    {"PC/SC: the card did not come back in time", "PC/SC: thẻ không được đặt lại kịp thời"},
    {"PC/SC: the card was not removed in the time allowed",
     "PC/SC: thẻ không được lấy ra trong thời gian cho phép"},
    {"no PC/SC reader matches the name given", "không có đầu đọc PC/SC nào khớp tên đã cho"},
    {"no card on the transport's reader", "không có thẻ trên đầu đọc"},
    {"the card did not answer in time", "thẻ không trả lời kịp thời"},
    {"the card left the field and the transport cannot reconnect",
     "thẻ đã rời khỏi đầu đọc và không thể kết nối lại"},
    {"the card left the field", "thẻ đã rời khỏi đầu đọc"},
    {"the read needed more APDUs than its limit", "lần đọc cần nhiều APDU hơn giới hạn"},
    {"the read took longer than its time limit", "lần đọc kéo dài quá giới hạn thời gian"},
    {"the read was cancelled", "lần đọc đã bị hủy"},
    {"libnfc: no card in the reader's field", "libnfc: không có thẻ trên đầu đọc"},
    {"libnfc: no card was presented in the time allowed",
     "libnfc: không có thẻ nào được đặt lên trong thời gian cho phép"},
    // CLI11's errors of the command line
    {"The following arguments were not expected: ", "Các tham số sau không dùng được: "},
    {"The following argument was not expected: ", "Tham số sau không dùng được: "},
    {" is required", " là bắt buộc"},
    {"A subcommand", "Một lệnh (read, verify, readers hoặc trust)"},
    {" excludes ", " không dùng chung được với "},
    {" requires ", " cần có "},
    {"Could not convert: ", "Không đọc được giá trị: "},
    {"The value ", "Giá trị "},
    {" is not an allowed value for ", " không được phép cho "},
    {" not in ", " không thuộc "},
    {" required ", " giá trị cần có: "},
    {" missing", " (bị thiếu)"},
    {" not found", " không tồn tại"},
    {"--loop needs --wait [SECONDS]", "--loop cần --wait [GIÂY]"},
    {"Expected exactly ", "Cần đúng "},
    {" arguments to ", " giá trị cho "},
    {", got ", ", nhận được "},
    {"birth date: use YYYY-MM-DD or dd/mm/yyyy (or YYYY / YYYY-MM when not on record)",
     "ngày sinh: dùng YYYY-MM-DD hoặc dd/mm/yyyy (hoặc YYYY / YYYY-MM khi không rõ ngày)"},
    {"expiry date: use YYYY-MM-DD, dd/mm/yyyy, or 'none' / 'Không thời hạn'",
     "ngày hết hạn: dùng YYYY-MM-DD, dd/mm/yyyy, hoặc 'none' / 'Không thời hạn'"},
    {"give both the birth and the expiry date, or neither",
     "đưa cả ngày sinh và ngày hết hạn, hoặc không đưa cả hai"},
    {" is not a file of a dump (ignored; see docs/dump-format.md)",
     " không phải tệp của thư mục dữ liệu (bỏ qua; xem docs/dump-format.md)"},
    {"dump: ", "thư mục dữ liệu: "},
    {"the ID number must be 12 digits", "số định danh cá nhân phải có 12 chữ số"},
    {"the CAN must be 6 digits", "CAN (6 chữ số cuối của số định danh cá nhân) phải có 6 chữ số"},
    {"the MRZ has a wrong check digit: check the text typed or scanned",
     "MRZ có chữ số kiểm tra sai: kiểm tra lại nội dung đã gõ hoặc quét"},
    {"the dump folder does not exist or is not a folder",
     "thư mục dữ liệu không tồn tại hoặc không phải thư mục"},
    {"the target folder already exists; a dump replaces it only when asked to",
     "thư mục đích đã tồn tại; chỉ thay thế khi được yêu cầu (--replace-dump)"},
    {"name a new folder to write", "hãy chỉ một thư mục mới để ghi"},
    {"the target exists and is not a folder", "đích đã tồn tại và không phải thư mục"},
    {"PC/SC establishing a context (is pcscd running?)",
     "PC/SC: không kết nối được dịch vụ (pcscd có đang chạy?)"},
    {"Service not available.", "dịch vụ không sẵn sàng."},
    {"no PC/SC reader", "không có đầu đọc PC/SC"},
    {"the wait was cancelled", "việc chờ đã bị hủy"},
    {"trust store: cannot find ", "kho tin cậy: không tìm thấy "},
    {"trust store: ", "kho tin cậy: "},
    {" holds no certificate", " không chứa chứng thư nào"},
    {"is a CSCA master list", "là danh sách chủ CSCA (master list)"},
    {"does not chain to any given master list root",
     "không nối chuỗi tới chứng thư gốc nào đã cho (--ml-root)"},
    // the CLI's own errors
    {"give either --mrz or an ID number (--id...), not both",
     "chỉ đưa --mrz hoặc số định danh (--id...), không cả hai"},
    {"give --birth and --expiry together (or neither: the CAN opens a CCCD)",
     "đưa --birth và --expiry cùng nhau (hoặc không đưa cả hai: CAN, tức 6 chữ số cuối của số định danh, mở "
     "được CCCD)"},
    {"give the 12-digit ID number (--id-stdin, --id-file, CCCD_ID or --id), --can or --mrz",
     "hãy đưa số định danh cá nhân 12 chữ số (--id-stdin, --id-file, CCCD_ID hoặc --id), --can hoặc --mrz"},
    {"--challenge: give 16 hex digits (8 bytes)", "--challenge: đưa 16 chữ số hệ 16 (8 byte)"},
    {"--at: give a real day as YYYY-MM-DD or dd/mm/yyyy",
     "--at: đưa một ngày có thật dạng YYYY-MM-DD hoặc dd/mm/yyyy"},
    {"--lang: give vi (Tiếng Việt, the default) or en (English)",
     "--lang: chọn vi (Tiếng Việt, mặc định) hoặc en (English)"},
    {"the card gave no photo to write", "thẻ không có ảnh để ghi"},
    {"--photo: name the file .png (converted), .jpg/.jpeg or .jp2/.j2k (as stored on the chip)",
     "--photo: đặt tên tệp .png (chuyển đổi), .jpg/.jpeg hoặc .jp2/.j2k (đúng như lưu trên chip)"},
    {"cannot write ", "không ghi được "},
    {"cannot create ", "không tạo được "},
    {"No such file or directory", "không có tệp hoặc thư mục như vậy"},
    {"Permission denied", "không có quyền truy cập"},
    {"Is a directory", "là một thư mục"},
    {"already exists", "đã tồn tại"},
};

bool word_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

// Whether `phrase` stands at `pos` of `text` as whole words: a phrase that begins (ends) with a letter
// must not continue a word before it (after it), so that "name" never replaces part of "named".
bool matches_at(std::string_view text, std::size_t pos, std::string_view phrase) {
  if (text.substr(pos, phrase.size()) != phrase) return false;
  if (word_character(phrase.front()) && pos > 0 && word_character(text[pos - 1])) return false;
  const std::size_t end = pos + phrase.size();
  if (word_character(phrase.back()) && end < text.size() && word_character(text[end])) return false;
  return true;
}

}  // namespace

std::string to_vietnamese(std::string_view english) {
  std::string out;
  out.reserve(english.size() + english.size() / 2);
  std::size_t pos = 0;
  while (pos < english.size()) {
    const Phrase* best = nullptr;
    for (const Phrase& phrase : kPhrases) {
      if (!matches_at(english, pos, phrase.english)) continue;
      if (best == nullptr || phrase.english.size() > best->english.size()) best = &phrase;
    }
    if (best != nullptr) {
      out += best->vietnamese;
      pos += best->english.size();
    } else {
      out += english[pos];
      ++pos;
    }
  }
  return out;
}

}  // namespace cccd::cli
