// Long names (issue 15): the TD1 MRZ name field has 30 characters, and ICAO 9303 Part 3 says how a longer
// name is truncated. cccd-sim writes the field as an issuer does, and the DG1/DG13 consistency check
// accepts the truncated name while still refusing a different one.
#include "lds/lds.hpp"
#include "lds/mrz.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "verify/consistency.hpp"

#include <cccd/report.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cccd {
namespace {

using sim::mrz_name_field;

// DG1 and DG13 of a card for `name` (the generator's own files), checked for consistency.
Finding consistency_of_card(const std::string& mrz_name_holder, const std::string& dg13_name_holder) {
  sim::Holder mrz_holder;
  mrz_holder.full_name = mrz_name_holder;
  sim::Holder dg13_holder;
  dg13_holder.full_name = dg13_name_holder;
  Mrz mrz = lds::parse_dg1(sim::build_dg1(mrz_holder));
  PersonalData personal = lds::parse_dg13(sim::build_dg13(dg13_holder, 1));
  return verification::check_consistency(mrz, personal);
}

TEST(LongNames, FieldsThatFitArePaddedAndLongerOnesEndWithALetter) {
  EXPECT_EQ(mrz_name_field("Nguyễn Thị Thu Hà", 30), "NGUYEN<<THI<THU<HA<<<<<<<<<<<<");
  // The name: 36 characters in MRZ form, cut from the last given names, each kept to an initial.
  EXPECT_EQ(mrz_name_field("Nguyễn Thị Hoàng Phương Thảo Nguyên", 30), "NGUYEN<<THI<HOANG<PHUONG<THA<N");
  // Exactly 30 characters: written whole, its last character a letter with no cut.
  EXPECT_EQ(mrz_name_field("Nguyễn Văn Thành Trung Kiệt Ý", 30), "NGUYEN<<VAN<THANH<TRUNG<KIET<Y");
  // 31 and 32: the last given name cut to its initial.
  EXPECT_EQ(mrz_name_field("Nguyễn Văn Thành Trung Kiên Bá", 30), "NGUYEN<<VAN<THANH<TRUNG<KIEN<B");
  EXPECT_EQ(mrz_name_field("Nguyễn Văn Thành Trung Kiên Bảo", 30), "NGUYEN<<VAN<THANH<TRUNG<KIEN<B");
  // 28: two fillers after it.
  EXPECT_EQ(mrz_name_field("Nguyễn Văn Thành Trung Kiên", 30), "NGUYEN<<VAN<THANH<TRUNG<KIEN<<");
  // More given names than fit even as initials: the last ones go, and the place freed goes back to a
  // remaining name's letters so the field still ends with a letter.
  EXPECT_EQ(mrz_name_field("Trần An Bé Cư Dư Ên Phi Gia Hà Ích Kha Lê Mơ Nô Ô Phở Quy", 30),
            "TRAN<<A<B<C<D<E<P<G<H<I<K<L<MO");
  // A surname that leaves no room for a given name fills the field alone.
  EXPECT_EQ(mrz_name_field("Abcdefghijklmnopqrstuvwxyzabcdefgh Lan", 30), "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD");
}

TEST(LongNames, EveryLengthFrom20To80IsWrittenFullAndPassesConsistency) {
  const std::vector<std::string> given = {"Thị",   "Hoàng", "Phương", "Thảo", "Nguyên", "Ngọc",  "Bích",
                                          "Trâm",  "Khánh", "Linh",   "Đan",  "Như",    "Quỳnh", "Ý",
                                          "Hương", "Giang", "Thư",    "Vân",  "Anh",    "Mai"};
  for (std::size_t target = 20; target <= 80; ++target) {
    // A name whose MRZ form ("NGUYEN<<...") has `target` characters: given names added until it reaches
    // the target, the last one cut to fit exactly (still a real word prefix, as a name part may be short).
    std::string name = "Đặng";
    std::size_t length = 4;
    for (std::size_t i = 0; length < target; ++i) {
      std::string word = given[i % given.size()];
      std::string mrz = sim::mrz_name(word);
      std::size_t separator = length == 4 ? 2 : 1;
      std::size_t room = target - length - separator;
      if (room == 0) {  // no room for a letter after the separator: lengthen the previous word instead
        name += "a";
        length += 1;
        break;
      }
      if (mrz.size() > room) word = mrz.substr(0, room);
      name += " " + word;
      length += separator + std::min(mrz.size(), room);
    }
    SCOPED_TRACE(name);
    ASSERT_EQ(sim::mrz_name(name).size(), target);
    std::string field = mrz_name_field(name, 30);
    ASSERT_EQ(field.size(), 30u);
    if (target >= 30) {
      EXPECT_NE(field.back(), '<') << field;  // full, ending with a letter
    } else {
      EXPECT_EQ(field.substr(target), std::string(30 - target, '<'));
    }
    Finding f = consistency_of_card(name, name);
    EXPECT_EQ(f.status, FindingStatus::passed) << f.detail << " " << field;
  }
}

TEST(LongNames, CompoundGivenNamesAndHyphens) {
  // Compound given names written with a hyphen are separate MRZ components.
  for (const char* name :
       {"Lê-Nguyễn Thị Hoàng-Phương Thảo Nguyên Anh", "Tôn Nữ Thị Hoàng-Yến Ngọc Bích Trâm",
        "Công Tôn Nữ Hoàng Ngọc Phương Quỳnh Như Ý"}) {
    SCOPED_TRACE(name);
    Finding f = consistency_of_card(name, name);
    EXPECT_EQ(f.status, FindingStatus::passed) << f.detail;
  }
}

TEST(LongNames, ASwappedOrDifferentNameFailsConsistency) {
  const std::string name = "Nguyễn Thị Hoàng Phương Thảo Nguyên";
  for (const char* other : {"Thị Nguyễn Hoàng Phương Thảo Nguyên", "Nguyễn Thị Phương Hoàng Thảo Nguyên",
                            "Nguyễn Thị Hoàng Phương Thu Nguyên", "Trần Thị Hoàng Phương Thảo Nguyên"}) {
    SCOPED_TRACE(other);
    Finding f = consistency_of_card(other, name);
    EXPECT_EQ(f.status, FindingStatus::failed);
    EXPECT_EQ(f.detail, "DG1 (MRZ) and DG13 differ in: name");
  }
  // The old way of cutting (at 30 characters, ending on a filler) is no ICAO truncation: refused.
  sim::Holder holder;
  holder.full_name = name;
  std::string old_mrz = sim::mrz_text(holder).substr(0, 60) + "NGUYEN<<THI<HOANG<PHUONG<THAO<";
  Mrz mrz = lds::parse_mrz(old_mrz.substr(0, 30) + "\n" + old_mrz.substr(30, 30) + "\n" + old_mrz.substr(60));
  EXPECT_EQ(verification::compare_names(mrz, name), verification::NameMatch::different);
}

// Five long Vietnamese names on cards made by the cccd-sim program, read in process and verified.
TEST(LongNames, FiveLongNamesReadAsVerifiedFromCccdSimCards) {
  // cccd-sim guesses the sex only from Văn or Thị: the others are given theirs.
  const std::pair<const char*, const char*> names[] = {
      {"Nguyễn Thị Hoàng Phương Thảo Nguyên", "F"},
      {"Tôn Nữ Thị Hoàng Yến Ngọc Bích Trâm", "F"},
      {"Công Tôn Nữ Hoàng Ngọc Phương Quỳnh Như", "F"},
      {"Huỳnh Trương Nguyễn Khánh Thiên Bảo Long", "M"},
      {"Nguyễn Phước Vĩnh Thụy Bảo Long Hoàng Thượng Ân Đức", "M"},
  };
  test::TempDir dir;
  int index = 0;
  for (const auto& [name, sex] : names) {
    SCOPED_TRACE(name);
    std::filesystem::path folder = dir.path() / ("card" + std::to_string(index++));
    // The simulator's holder name is made-up test data, so a command line may carry it.
    test::ProgramRun run =
        test::run_program(std::string(CCCD_BINARY_DIR) + "/cccd-sim personalise --name '" + name +
                          "' --sex " + sex + " --seed 7 " + folder.string() + " 2>&1");
    ASSERT_EQ(run.exit_code, 0) << run.out;
    Report report = sim::read_and_verify_virtual(folder, test::default_credentials(), nullptr);
    EXPECT_TRUE(report.verdict.verified) << report.verdict.consistency.detail;
    EXPECT_EQ(report.verdict.consistency.status, FindingStatus::passed) << report.verdict.consistency.detail;
    EXPECT_NE(report.verdict.consistency.detail.find("cut as ICAO 9303 allows"), std::string::npos);
    ASSERT_TRUE(report.document.mrz.has_value());
    ASSERT_TRUE(report.document.personal.has_value());
    EXPECT_EQ(report.document.personal->full_name(), name);
  }
}

}  // namespace
}  // namespace cccd
