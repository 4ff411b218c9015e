#include "bench/bench_pki.hpp"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace cccd::bench {
namespace {

constexpr std::size_t kPerBundle = 128;  // CSCAs (and CRLs) per PEM file: well under the 1 MiB bound
constexpr std::size_t kKeysPerType = 4;

std::string crl_pem(ByteView der) {
  const unsigned char* cursor = der.data();
  X509_CRL* crl = d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size()));
  BIO* bio = BIO_new(BIO_s_mem());
  if (crl == nullptr || bio == nullptr || PEM_write_bio_X509_CRL(bio, crl) != 1)
    throw std::runtime_error("CRL to PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  X509_CRL_free(crl);
  return text;
}

void generate(const std::filesystem::path& folder, std::size_t count, bool with_crls) {
  const std::array<std::pair<const char*, const char*>, 3> types{
      {{"EC", "brainpoolP256r1"}, {"EC", "prime256v1"}, {"RSA", "2048"}}};
  const std::time_t now = std::time(nullptr);
  std::vector<sim::IssuedCertificate> pool;  // kKeysPerType keys of each type, reused by every CSCA
  const std::filesystem::path partial = folder.string() + ".partial";
  std::filesystem::remove_all(partial);
  std::filesystem::create_directories(partial);
  std::string bundle;
  std::size_t in_bundle = 0;
  std::size_t bundles = 0;
  auto flush = [&] {
    if (in_bundle == 0) return;
    char name[32];
    std::snprintf(name, sizeof name, "cscas-%05zu.pem", bundles++);
    std::ofstream(partial / name, std::ios::binary) << bundle;
    bundle.clear();
    in_bundle = 0;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t type = i % types.size();
    const std::size_t slot = (i / types.size()) % kKeysPerType;
    const std::size_t pool_index = type * kKeysPerType + slot;
    sim::CertificateProfile profile;
    profile.common_name = "Bench CSCA " + std::to_string(i);
    static const std::array<const char*, 8> countries{"VN", "NL", "DE", "FR", "JP", "BR", "KE", "CA"};
    profile.country = countries[i % countries.size()];
    profile.key_type = types[type].first;
    profile.key_parameter = types[type].second;
    profile.serial = static_cast<long>(i + 1);
    profile.not_before = now - 365 * 86400;
    profile.not_after = now + 10 * 365 * 86400;
    if (pool.size() <= pool_index) pool.resize(types.size() * kKeysPerType);
    EVP_PKEY* key = pool[pool_index].key.get();
    sim::IssuedCertificate issued = sim::issue_test_certificate(profile, nullptr, key);
    if (!key) pool[pool_index].key = std::move(issued.key), key = pool[pool_index].key.get();
    const Bytes der = issued.der();
    bundle += sim::certificate_pem(der);
    if (with_crls) bundle += crl_pem(sim::make_test_crl(key, der, {}, now - 3600));
    if (++in_bundle == kPerBundle) flush();
  }
  flush();
  std::filesystem::rename(partial, folder);
}

}  // namespace

std::filesystem::path csca_folder(std::size_t count, bool with_crls) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path folder =
      std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
      ("cccd-bench-cscas-" + std::to_string(count) + (with_crls ? "-crl" : ""));
  if (!std::filesystem::is_directory(folder)) {
    std::fprintf(stderr, "generating %zu CSCAs%s into %s (once)...\n", count, with_crls ? " with CRLs" : "",
                 folder.c_str());
    generate(folder, count, with_crls);
  }
  return folder;
}

const EVP_MD* digest_of(const std::string& oid) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> object(OBJ_txt2obj(oid.c_str(), 1),
                                                                   ASN1_OBJECT_free);
  const EVP_MD* md = object ? EVP_get_digestbyobj(object.get()) : nullptr;
  if (md == nullptr) throw std::runtime_error("no digest for the SOD's algorithm");
  return md;
}

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace cccd::bench
