#include "crypto/openssl_ptr.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>
#include <cccd/trust.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <functional>
#include <string>

namespace cccd {
namespace {

// A self-signed P-256 certificate with the given common name, the shape of a CSCA.
struct TestCertificate {
  EvpPkeyPtr key;
  X509Ptr cert;
  Bytes der() const {
    int length = i2d_X509(cert.get(), nullptr);
    Bytes out(static_cast<std::size_t>(length));
    unsigned char* cursor = out.data();
    i2d_X509(cert.get(), &cursor);
    return out;
  }
  std::string pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert.get());
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return text;
  }
};

TestCertificate make_certificate(const std::string& common_name) {
  TestCertificate t;
  t.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  t.cert.reset(X509_new());
  X509* cert = t.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, t.key.get());
  X509_sign(cert, t.key.get(), EVP_sha256());
  return t;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}
void write_file(const std::filesystem::path& path, const Bytes& data) {
  write_file(path, std::string(data.begin(), data.end()));
}

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no cccd::Error thrown";
  return ErrorCode::internal;
}

TEST(TrustStore, StartsEmpty) {
  TrustStore store;
  EXPECT_TRUE(store.empty());
  EXPECT_EQ(store.size(), 0u);
}

TEST(TrustStore, AddsDerAndPemCertificatesOnceEach) {
  TestCertificate a = make_certificate("CSCA A");
  TestCertificate b = make_certificate("CSCA B");
  TrustStore store;
  store.add_certificate(a.der());
  EXPECT_EQ(store.size(), 1u);
  std::string pem = b.pem();
  store.add_certificate(as_bytes(pem));
  EXPECT_EQ(store.size(), 2u);
  // The same certificate again, in either encoding, is not a second anchor.
  store.add_certificate(a.der());
  store.add_certificate(as_bytes(a.pem()));
  EXPECT_EQ(store.size(), 2u);
}

TEST(TrustStore, RecordsTheTestAnchorFlag) {
  TrustStore store;
  store.add_certificate(make_certificate("real").der());
  store.add_certificate(make_certificate("test").der(), true);
  ASSERT_EQ(store.snapshot()->anchors.size(), 2u);
  EXPECT_FALSE(store.snapshot()->anchors[0].test_anchor);
  EXPECT_TRUE(store.snapshot()->anchors[1].test_anchor);
}

TEST(TrustStore, RejectsDataThatIsNoCertificate) {
  TrustStore store;
  Bytes garbage{0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(code_of([&] { store.add_certificate(garbage); }), ErrorCode::malformed_data);
  EXPECT_EQ(code_of([&] { store.add_certificate(Bytes{}); }), ErrorCode::malformed_data);
  std::string no_cert = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  EXPECT_EQ(code_of([&] { store.add_certificate(as_bytes(no_cert)); }), ErrorCode::malformed_data);
  // A DER certificate followed by extra bytes is not taken as a certificate.
  Bytes trailing = make_certificate("x").der();
  trailing.push_back(0);
  EXPECT_EQ(code_of([&] { store.add_certificate(trailing); }), ErrorCode::malformed_data);
  // A broken block after a good certificate is not silently dropped.
  std::string broken =
      make_certificate("y").pem() + "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(code_of([&] { store.add_certificate(as_bytes(broken)); }), ErrorCode::malformed_data);
  EXPECT_TRUE(store.empty());
}

TEST(TrustStore, RejectsDataOverOneMebibyte) {
  TrustStore store;
  Bytes huge(1024 * 1024 + 1, 0x30);
  EXPECT_EQ(code_of([&] { store.add_certificate(huge); }), ErrorCode::limit_exceeded);
}

TEST(TrustStore, AddPathReadsAPemBundleAndADerFile) {
  test::TempDir dir;
  TestCertificate a = make_certificate("A");
  TestCertificate b = make_certificate("B");
  TestCertificate c = make_certificate("C");
  // A bundle with a key block between the certificates: the key is skipped.
  write_file(dir.path() / "bundle.pem", "comment line\n" + a.pem() +
                                            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" +
                                            b.pem());
  write_file(dir.path() / "c.cer", c.der());
  TrustStore store;
  EXPECT_EQ(store.add_path(dir.path() / "bundle.pem"), 2u);
  EXPECT_EQ(store.add_path(dir.path() / "c.cer", true), 1u);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_TRUE(store.snapshot()->anchors[2].test_anchor);
  EXPECT_EQ(store.add_path(dir.path() / "c.cer"), 0u);  // already there
}

TEST(TrustStore, AddPathOnAFolderSkipsOtherFilesAndDoesNotRecurse) {
  test::TempDir dir;
  write_file(dir.path() / "a.pem", make_certificate("A").pem());
  write_file(dir.path() / "b.der", make_certificate("B").der());
  write_file(dir.path() / "README.txt", std::string("not a certificate"));
  write_file(dir.path() / "empty", std::string());
  write_file(dir.path() / "huge.bin", Bytes(1024 * 1024 + 10, 0x41));
  std::filesystem::create_directory(dir.path() / "sub");
  write_file(dir.path() / "sub" / "c.pem", make_certificate("C").pem());
  TrustStore store;
  EXPECT_EQ(store.add_path(dir.path()), 2u);
  EXPECT_EQ(store.size(), 2u);

  test::TempDir empty_dir;
  EXPECT_EQ(store.add_path(empty_dir.path()), 0u);
}

TEST(TrustStore, AddPathErrorsOnANamedFileWithoutCertificate) {
  test::TempDir dir;
  write_file(dir.path() / "notes.txt", std::string("hello"));
  write_file(dir.path() / "empty.pem", std::string());
  write_file(dir.path() / "huge.pem", Bytes(1024 * 1024 + 1, 0x41));
  TrustStore store;
  EXPECT_EQ(code_of([&] { store.add_path(dir.path() / "notes.txt"); }), ErrorCode::malformed_data);
  EXPECT_EQ(code_of([&] { store.add_path(dir.path() / "empty.pem"); }), ErrorCode::malformed_data);
  EXPECT_EQ(code_of([&] { store.add_path(dir.path() / "huge.pem"); }), ErrorCode::limit_exceeded);
  EXPECT_EQ(code_of([&] { store.add_path(dir.path() / "missing.pem"); }), ErrorCode::io);
  EXPECT_TRUE(store.empty());
}

TEST(TrustStore, MovesKeepTheAnchors) {
  TrustStore store;
  store.add_certificate(make_certificate("A").der(), true);
  TrustStore moved(std::move(store));
  EXPECT_EQ(moved.size(), 1u);
  TrustStore assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.size(), 1u);
  EXPECT_TRUE(assigned.snapshot()->anchors[0].test_anchor);
}

}  // namespace
}  // namespace cccd
