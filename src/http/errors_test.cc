#include "http/errors.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/request_context.h"
#include "http/unparsable_request.h"

namespace crm::http {
namespace {

TEST(ErrorsTest, EveryCodeMapsToItsStatus) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(ErrorsTest, BodyNamesCodeMessageAndField) {
  const nlohmann::ordered_json body = ErrorBody(InvalidArgument("not a phone number", "phone"));
  EXPECT_EQ(body.dump(), R"({"error":{"code":"invalid_argument","message":"not a phone number","field":"phone",)"
                         R"("reason":"invalid_argument"}})");
}

TEST(ErrorsTest, ARefusalCarriesItsReasonAndAConflictWithoutOneIsNamedByItsCode) {
  EXPECT_EQ(
      ErrorBody(FailedPrecondition("this coupon has expired", "code").WithReason("coupon_expired"))["error"]["reason"],
      "coupon_expired");
  EXPECT_EQ(ErrorBody(AlreadyExists("UNIQUE constraint failed"))["error"]["reason"], "already_exists");
  EXPECT_EQ(ErrorBody(Aborted("could not serialize access"))["error"]["reason"], "conflict");
  EXPECT_EQ(ErrorBody("not_found", "no such route")["error"]["reason"], "not_found");
}

TEST(ErrorsTest, EveryBadFieldIsListedWhenTheStatusCarriesThem) {
  Status first = InvalidArgument("must be from 0 to 1000", "rate_permille");
  Status all = Status(first).WithDetails({first, InvalidArgument("the first tier starts at 0", "tiers[0].threshold")});
  const nlohmann::ordered_json body = ErrorBody(all);
  EXPECT_EQ(body["error"]["field"], "rate_permille");
  ASSERT_EQ(body["error"]["errors"].size(), 2u);
  EXPECT_EQ(body["error"]["errors"][1].dump(),
            R"({"field":"tiers[0].threshold","message":"the first tier starts at 0","reason":"invalid_argument"})");
}

TEST(ErrorsTest, BodyOmitsFieldWhenThereIsNone) {
  const nlohmann::ordered_json body = ErrorBody(NotFound("no such customer"));
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_FALSE(body["error"].contains("field"));
}

TEST(ErrorsTest, InternalFailuresHideTheirMessage) {
  const nlohmann::ordered_json body = ErrorBody(Internal("UNIQUE constraint failed: customers.phone"));
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["message"], "internal error");
  EXPECT_EQ(ErrorBody(DataLoss("page checksum"))["error"]["message"], "internal error");
}

TEST(ErrorsTest, UnavailableKeepsItsMessage) {
  EXPECT_EQ(ErrorBody(Unavailable("the server is busy"))["error"]["message"], "the server is busy");
}

TEST(ErrorsTest, ResponseForUnauthenticatedAsksForBearer) {
  const Response response = Response::Error(Unauthenticated("sign in"));
  EXPECT_EQ(response.status, 401);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
  ASSERT_TRUE(response.body.has_value());
  EXPECT_EQ((*response.body)["error"]["code"], "unauthenticated");
}

TEST(ErrorsTest, ResponseForCsrfFailureNamesTheHeader) {
  const Response response =
      Response::Error(Status(StatusCode::kPermissionDenied, "needs the CSRF token", "X-CSRF-Token"));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ((*response.body)["error"]["field"], "X-CSRF-Token");
}

TEST(UnparsableRequestTest, AParserErrorGetsAJsonAnswerAndTheConnectionCloses) {
  const std::string answer =
      UnparsableRequestAnswer("[connection:7] parser error HPE_INVALID_METHOD: invalid HTTP method");
  ASSERT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos);
  const std::string body = answer.substr(answer.find("\r\n\r\n") + 4);
  EXPECT_NE(answer.find(fmt::format("Content-Length: {}\r\n", body.size())), std::string::npos) << answer;
  const auto json = nlohmann::json::parse(body);
  EXPECT_EQ(json["error"]["code"], "malformed_request");
  EXPECT_NE(json["error"]["message"].get<std::string>().find("HPE_INVALID_METHOD"), std::string::npos);
}

TEST(UnparsableRequestTest, LimitsKeepTheirOwnStatus) {
  EXPECT_EQ(UnparsableRequestAnswer("parser error HPE_CB_url: the on_url callback failed").substr(0, 12), "HTTP/1.1 414");
  EXPECT_EQ(UnparsableRequestAnswer("parser error HPE_HEADER_OVERFLOW: header size").substr(0, 12), "HTTP/1.1 431");
  EXPECT_EQ(UnparsableRequestAnswer("parser error HPE_CB_header_value: x").substr(0, 12), "HTTP/1.1 431");
  EXPECT_EQ(UnparsableRequestAnswer("parser error HPE_CB_body: x").substr(0, 12), "HTTP/1.1 413");
}

TEST(UnparsableRequestTest, OtherLogLinesOweNothing) {
  EXPECT_EQ(UnparsableRequestAnswer("[connection:3] read error: End of file"), "");
  EXPECT_EQ(UnparsableRequestAnswer(""), "");
}

TEST(ErrorsTest, ReasonPhrases) {
  EXPECT_STREQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_STREQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_STREQ(ReasonPhrase(201), "Created");
}

}  // namespace
}  // namespace crm::http
