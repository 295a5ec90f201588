#include "http/errors.h"

#include <gtest/gtest.h>

#include "http/request_context.h"

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
  EXPECT_EQ(body.dump(), R"({"error":{"code":"invalid_argument","message":"not a phone number","field":"phone"}})");
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

TEST(ErrorsTest, ReasonPhrases) {
  EXPECT_STREQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_STREQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_STREQ(ReasonPhrase(201), "Created");
}

}  // namespace
}  // namespace crm::http
