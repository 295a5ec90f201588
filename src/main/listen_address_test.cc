#include "main/listen_address.h"

#include <gtest/gtest.h>

namespace crm::cli {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto address = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 8080);
  EXPECT_EQ(address->Url(8080), "http://127.0.0.1:8080");
}

TEST(ListenAddressTest, PortZeroReportsTheBoundPortInTheUrl) {
  auto address = ParseListenAddress("localhost:0");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->port, 0);
  EXPECT_EQ(address->Url(41234), "http://localhost:41234");
}

TEST(ListenAddressTest, Ipv6HostsAreBracketed) {
  auto address = ParseListenAddress("[::1]:9000");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->Url(9000), "http://[::1]:9000");
}

TEST(ListenAddressTest, MalformedAddressesFailWithInvalidArgumentOnListen) {
  for (const char* text : {"", "8080", ":8080", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536",
                           "::1:80", "127.0.0.1:-1", "127.0.0.1:123456", "a b:80"}) {
    auto address = ParseListenAddress(text);
    ASSERT_FALSE(address.ok()) << text;
    EXPECT_EQ(address.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(address.status().field(), "listen") << text;
  }
}

}  // namespace
}  // namespace crm::cli
