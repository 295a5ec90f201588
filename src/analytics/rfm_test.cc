#include "analytics/rfm.h"

#include <gtest/gtest.h>

#include "analytics/test_data.h"
#include "analytics/text_formats.h"

namespace crm::analytics {
namespace {

using testing::ReadTestData;

constexpr int64_t kHour = 3'600'000'000;

TEST(NtileTest, MatchesSqlNtileWithLargerFirstTiles) {
  std::vector<uint32_t> order = {0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(Ntile(order, 5), (std::vector<uint8_t>{1, 1, 2, 2, 3, 4, 5}));
  EXPECT_EQ(Ntile({0, 1, 2}, 5), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(Ntile({}, 5).empty());
}

TEST(SegmentTest, GridCornersAreNamedAsThePeers) {
  EXPECT_EQ(RfmSegmentName(SegmentOf(5, 5)), "Champions");
  EXPECT_EQ(RfmSegmentName(SegmentOf(1, 1)), "Lost");
  EXPECT_EQ(RfmSegmentName(SegmentOf(1, 5)), "Cannot Lose Them");
  EXPECT_EQ(RfmSegmentName(SegmentOf(5, 1)), "New Customers");
  EXPECT_EQ(RfmSegmentName(SegmentOf(4, 1)), "Promising");
  EXPECT_EQ(RfmSegmentName(SegmentOf(3, 2)), "Need Attention");
  EXPECT_EQ(RfmSegmentName(SegmentOf(3, 1)), "About To Sleep");
  EXPECT_EQ(RfmSegmentName(SegmentOf(2, 1)), "Hibernating");
  EXPECT_EQ(RfmSegmentName(SegmentOf(2, 3)), "At Risk");
}

TEST(RfmTest, CountsDistinctOrdersAndSumsLines) {
  TransactionColumns tx;
  // Customer 7: order 1 with two lines, order 2 a day later. Customer 9: one order.
  tx.Append(7, 1, 0, 1000);
  tx.Append(7, 1, kHour, 500);
  tx.Append(9, 3, 10 * kHour, 200);
  tx.Append(7, 2, 24 * kHour, 300);
  Result<OrderHistory> history = BuildOrderHistory(tx);
  ASSERT_TRUE(history.ok());
  Result<RfmTable> rfm = ComputeRfm(*history, *PeerAsOf(*history));
  ASSERT_TRUE(rfm.ok());
  ASSERT_EQ(rfm->size(), 2u);
  EXPECT_EQ(rfm->customer_id, (std::vector<int64_t>{7, 9}));
  EXPECT_EQ(rfm->frequency, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(rfm->monetary_minor, (std::vector<int64_t>{1800, 200}));
  EXPECT_EQ(rfm->recency_days, (std::vector<int64_t>{1, 1}));  // 48 h - 24 h, 48 h - 10 h
}

TEST(RfmTest, SparseCustomerIdsAreSortedAscending) {
  TransactionColumns tx;
  tx.Append(1'000'000'000'000, 1, 0, 10);
  tx.Append(-5, 2, 0, 20);
  tx.Append(42, 3, 0, 30);
  Result<OrderHistory> history = BuildOrderHistory(tx);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->customers, (std::vector<int64_t>{-5, 42, 1'000'000'000'000}));
}

TEST(RfmTest, EmptyInputGivesEmptyTableAndNoAsOf) {
  Result<OrderHistory> history = BuildOrderHistory(TransactionColumns{});
  ASSERT_TRUE(history.ok());
  Result<RfmTable> rfm = ComputeRfm(*history, Timestamp::FromSeconds(0));
  ASSERT_TRUE(rfm.ok());
  EXPECT_EQ(rfm->size(), 0u);
  EXPECT_EQ(PeerAsOf(*history).status().code(), StatusCode::kInvalidArgument);
}

TEST(RfmTest, RaggedColumnsFailWithInvalidArgument) {
  TransactionColumns tx;
  tx.Append(1, 1, 0, 10);
  tx.amount_minor.pop_back();
  EXPECT_EQ(BuildOrderHistory(tx).status().code(), StatusCode::kInvalidArgument);
  OrderHistory broken;
  broken.customers = {1};
  broken.order_begin = {0, 1};
  EXPECT_EQ(ComputeRfm(broken, Timestamp()).status().code(), StatusCode::kInvalidArgument);
}

// The peers' own reference implementation wrote expected.csv from input.csv.
TEST(RfmTest, SmallFileMatchesThePeersOutputExactly) {
  Result<TransactionColumns> tx = ParsePeerTransactionsCsv(ReadTestData("rfm_small/input.csv"));
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  Result<OrderHistory> history = BuildOrderHistory(*tx);
  ASSERT_TRUE(history.ok());
  Result<RfmTable> rfm = ComputeRfm(*history, *PeerAsOf(*history));
  ASSERT_TRUE(rfm.ok());
  EXPECT_EQ(FormatRfmCsv(*rfm), ReadTestData("rfm_small/expected.csv"));
  Result<ParetoSummary> pareto = ComputePareto(rfm->monetary_minor);
  ASSERT_TRUE(pareto.ok());
  EXPECT_EQ(pareto->top_customers, 5);
  EXPECT_EQ(pareto->top_revenue_minor, 208000);
  EXPECT_EQ(pareto->total_revenue_minor, 327000);
}

TEST(ParetoTest, CurveRisesFromZeroToOne) {
  Result<ParetoSummary> pareto = ComputePareto({50, 30, 10, 5, 5}, 0.2, 5);
  ASSERT_TRUE(pareto.ok());
  EXPECT_DOUBLE_EQ(pareto->top_share, 0.5);
  ASSERT_EQ(pareto->curve.size(), 6u);
  EXPECT_DOUBLE_EQ(pareto->curve[0], 0.0);
  EXPECT_DOUBLE_EQ(pareto->curve[2], 0.8);
  EXPECT_DOUBLE_EQ(pareto->curve[5], 1.0);
}

TEST(ParetoTest, BadParametersFailAndEmptyInputIsZero) {
  EXPECT_EQ(ComputePareto({1}, 0.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputePareto({1}, 1.5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputePareto({1}, 0.2, 0).status().code(), StatusCode::kInvalidArgument);
  Result<ParetoSummary> empty = ComputePareto({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->top_share, 0.0);
}

TEST(PeerCsvTest, BadRowsNameTheirLine) {
  const std::string header = "order_id,customer_id,phone,ordered_at,item_id,quantity,amount_krw\n";
  Result<TransactionColumns> bad_time =
      ParsePeerTransactionsCsv(header + "1,2,010,2024-13-01T00:00:00Z,1,1,100\n");
  EXPECT_EQ(bad_time.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_time.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(ParsePeerTransactionsCsv(header + "1,x,010,2024-01-01T00:00:00Z,1,1,100\n").ok());
  EXPECT_FALSE(ParsePeerTransactionsCsv(header + "1,2\n").ok());
  EXPECT_FALSE(ParsePeerTransactionsCsv("a,b,c\n1,2,3\n").ok());
  EXPECT_FALSE(ParsePeerTransactionsCsv("").ok());
}

TEST(PeerCsvTest, OffsetsAreAppliedAndQuotesRemoved) {
  Result<TransactionColumns> tx = ParsePeerTransactionsCsv(
      "customer_id,order_id,amount_krw,ordered_at,note\n"
      "1,2,300,2024-01-01T09:00:00+09:00,\"a, \"\"quoted\"\" note\"\r\n");
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ(tx->ordered_at_micros[0], DaysFromCivil(2024, 1, 1) * kMicrosPerDay);
  EXPECT_EQ(tx->amount_minor[0], 300);
}

}  // namespace
}  // namespace crm::analytics
