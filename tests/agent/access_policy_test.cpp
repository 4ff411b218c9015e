// cccd-agent's judgement of a request (src/agent/access_policy.hpp), case by case: what a browser sends
// from an allowed origin, from a foreign one, from the agent's own page, and what a program sends.
#include "agent/access_policy.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cccd::agent {
namespace {

AccessSettings settings() {
  AccessSettings s;
  s.allowed_origins = {"https://quay.example.gov.vn", "http://127.0.0.1:8787"};
  s.allowed_hosts = {"127.0.0.1:8787", "localhost:8787"};
  s.token = std::string(64, 'a');
  return s;
}

RequestFacts facts(std::optional<std::string_view> origin = std::nullopt) {
  RequestFacts f;
  f.host = "127.0.0.1:8787";
  f.origin = origin;
  return f;
}

TEST(AgentOrigin, NormalisesOnlyRealOrigins) {
  EXPECT_EQ(normalise_origin("HTTPS://Quay.Example.gov.vn/"), "https://quay.example.gov.vn");
  EXPECT_EQ(normalise_origin("http://[::1]:8787"), "http://[::1]:8787");
  EXPECT_EQ(normalise_origin("null"), std::nullopt);  // sandboxed frames, file: pages
  EXPECT_EQ(normalise_origin("https://quay.example.gov.vn/app"), std::nullopt);
  EXPECT_EQ(normalise_origin("https://user@quay.example.gov.vn"), std::nullopt);
  EXPECT_EQ(normalise_origin("https://quay.example.gov.vn?x"), std::nullopt);
  EXPECT_EQ(normalise_origin("ftp://quay.example.gov.vn"), std::nullopt);
  EXPECT_EQ(normalise_origin("https://"), std::nullopt);
  EXPECT_EQ(normalise_origin(""), std::nullopt);
}

TEST(AgentAccess, AllowedOriginNeedsNoToken) {
  EXPECT_EQ(judge(settings(), facts("https://quay.example.gov.vn")), Access::allowed);
  EXPECT_EQ(judge(settings(), facts("https://QUAY.example.gov.vn")), Access::allowed);
}

TEST(AgentAccess, ForeignOriginRefusedEvenWithTheToken) {
  RequestFacts f = facts("https://quay.example.gov.vn.evil.example");
  const std::string bearer = "Bearer " + std::string(64, 'a');
  f.authorization = bearer;
  EXPECT_EQ(judge(settings(), f), Access::bad_origin);
  EXPECT_EQ(judge(settings(), facts("null")), Access::bad_origin);
  EXPECT_EQ(judge(settings(), facts("")), Access::bad_origin);
  EXPECT_EQ(judge(settings(), facts("http://127.0.0.1:8788")), Access::bad_origin);  // another port
}

TEST(AgentAccess, HostMustNameTheAgent) {
  RequestFacts f = facts("https://quay.example.gov.vn");
  f.host = "rebound.evil.example:8787";
  EXPECT_EQ(judge(settings(), f), Access::bad_host);
  f.host = "";
  EXPECT_EQ(judge(settings(), f), Access::bad_host);
  f.host = "LOCALHOST:8787";
  EXPECT_EQ(judge(settings(), f), Access::allowed);
}

TEST(AgentAccess, ProgramsNeedTheToken) {
  // RequestFacts holds views: each header value lives in its own string, as in a parsed request.
  const std::string token(64, 'a');
  const std::string short_token = "Bearer " + token.substr(1);
  const std::string wrong_token = "Bearer " + token.substr(1) + "b";
  const std::string basic = "Basic " + token;
  const std::string bearer = "Bearer " + token;
  const std::string lower_case = "bearer " + token;
  RequestFacts f = facts();
  EXPECT_EQ(judge(settings(), f), Access::needs_token);
  for (const std::string* refused : {&short_token, &wrong_token, &basic}) {
    f.authorization = *refused;
    EXPECT_EQ(judge(settings(), f), Access::needs_token) << *refused;
  }
  for (const std::string* accepted : {&bearer, &lower_case}) {
    f.authorization = *accepted;
    EXPECT_EQ(judge(settings(), f), Access::allowed) << *accepted;
  }
}

TEST(AgentAccess, OwnPageAndItsSameOriginRequests) {
  RequestFacts f = facts();
  f.public_page = true;
  EXPECT_EQ(judge(settings(), f), Access::allowed);
  f.public_page = false;
  f.sec_fetch_site = "same-origin";
  EXPECT_EQ(judge(settings(), f), Access::allowed);
  f.sec_fetch_site = "same-site";  // another port of 127.0.0.1: another origin
  EXPECT_EQ(judge(settings(), f), Access::needs_token);
  f.sec_fetch_site = "cross-site";
  EXPECT_EQ(judge(settings(), f), Access::needs_token);
}

TEST(AgentAccess, RandomIdsAreFreshHex) {
  const std::string a = random_hex(16);
  const std::string b = random_hex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_TRUE(constant_time_equal(a, a));
  EXPECT_FALSE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, a.substr(1)));
}

}  // namespace
}  // namespace cccd::agent
