#include "http/client_address.h"

#include <gtest/gtest.h>

namespace crm::http {
namespace {

const std::vector<std::string> kProxies = {"10.0.0.2", "10.0.0.3"};

TEST(ClientAddressTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.1", {}), "203.0.113.9");
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.1", kProxies), "203.0.113.9");
}

TEST(ClientAddressTest, ATrustedProxyNamesTheClient) {
  EXPECT_EQ(ClientAddress("10.0.0.2", "198.51.100.1", kProxies), "198.51.100.1");
  EXPECT_EQ(ClientAddress("10.0.0.2", " 2001:db8::1 ", kProxies), "2001:db8::1");
}

TEST(ClientAddressTest, AddressesAClientWroteBeforeTheProxyAreNotBelieved) {
  // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the client's real address.
  EXPECT_EQ(ClientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7", kProxies), "198.51.100.7");
}

TEST(ClientAddressTest, ChainsOfTrustedProxiesAreWalkedToTheFirstUntrustedHop) {
  EXPECT_EQ(ClientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", kProxies), "198.51.100.7");
}

TEST(ClientAddressTest, AMalformedOrMissingHeaderLeavesTheLastTrustedHop) {
  EXPECT_EQ(ClientAddress("10.0.0.2", "", kProxies), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.2", "unknown", kProxies), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.2", "198.51.100.7, garbage<script>", kProxies), "10.0.0.2");
}

}  // namespace
}  // namespace crm::http
