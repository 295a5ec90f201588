// The undo of the counter's last action of today, through the app services on a real SQLite
// file with a manual clock: each kind of action, the ledger staying consistent, a second undo,
// another staff member's action, and the end of the business's day.
#include "app/undo_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/services.h"

namespace crm::app {
namespace {

class UndoServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-undo-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    auto business = services_->businesses.CreateBusiness("cafe", "카페");  // UTC+9 by default
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
    alice_ = StaffPrincipal("alice@example.com", domain::Role::kStaff);
    bob_ = StaffPrincipal("bob@example.com", domain::Role::kStaff);
    manager_ = StaffPrincipal("manager@example.com", domain::Role::kManager);
    domain::CustomerDraft draft;
    draft.phone = "010-1234-5678";
    auto customer = services_->customers.Create(owner_, draft);
    ASSERT_TRUE(customer.ok()) << customer.status().ToString();
    customer_ = customer->id;
    domain::Program program = *domain::ProgramPreset("points");
    program.min_balance_to_redeem = 0;
    ASSERT_TRUE(services_->loyalty.SetProgram(owner_, program).ok());
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Principal StaffPrincipal(const std::string& email, domain::Role role) {
    NewStaff staff;
    staff.email = email;
    staff.display_name = email;
    staff.password = "correct horse";
    staff.role = role;
    auto created = services_->businesses.CreateStaff(owner_.business_id, staff);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    Principal principal = owner_;
    principal.role = role;
    principal.staff_id = created.ok() ? created->id : StaffId();
    return principal;
  }

  OrderId Sale(const Principal& who, int64_t total) {
    domain::Order order;
    order.branch_id = branch_;
    order.customer_id = customer_;
    order.total = Money(total);
    auto posted = services_->orders.PostSale(who, order);
    EXPECT_TRUE(posted.ok()) << posted.status().ToString();
    return posted.ok() ? posted->order.id : OrderId();
  }

  int64_t Balance() {
    auto view = services_->loyalty.Account(owner_, customer_);
    EXPECT_TRUE(view.ok());
    return view.ok() ? view->account.balance : -1;
  }

  std::optional<domain::CounterAction> Last(const Principal& who) {
    auto last = services_->undo.LastAction(who, customer_);
    EXPECT_TRUE(last.ok()) << last.status().ToString();
    return last.ok() ? *last : std::nullopt;
  }

  void ExpectLedgerMatches() {
    auto mismatches = services_->loyalty.Verify(owner_.business_id);
    ASSERT_TRUE(mismatches.ok());
    EXPECT_TRUE(mismatches->empty());
  }

  // 2026-01-01T00:00:00Z is 09:00 in Seoul: the business's day ends 15 hours later.
  ManualClock clock_{Timestamp::FromSeconds(1'767'225'600)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
  Principal alice_;
  Principal bob_;
  Principal manager_;
  BranchId branch_;
  CustomerId customer_;
};

TEST_F(UndoServiceTest, UndoingASaleRefundsItInFullAndTakesBackItsPoints) {
  const OrderId order = Sale(alice_, 20'000);
  ASSERT_GT(Balance(), 0);
  auto last = Last(alice_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, domain::CounterActionKind::kOrder);
  EXPECT_EQ(last->id, order.value());
  EXPECT_EQ(last->amount, 20'000);

  auto undone = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kOrder, order.value());
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_TRUE(undone->refund);
  EXPECT_EQ(undone->refund->total, Money(-20'000));
  EXPECT_EQ(undone->refund->original_order_id, order);
  EXPECT_EQ(undone->balance, 0);
  EXPECT_EQ(Balance(), 0);
  auto profile = services_->customers.Get(owner_, customer_);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->stats.total_spend, Money(0));
  ExpectLedgerMatches();
  EXPECT_FALSE(Last(alice_));
}

TEST_F(UndoServiceTest, ASecondUndoOfTheSameActionIsRefusedWithAReason) {
  const OrderId order = Sale(alice_, 10'000);
  ASSERT_TRUE(services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kOrder, order.value()).ok());
  auto again = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kOrder, order.value());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().reason(), "already_undone");

  auto note = services_->customers.AddNote(alice_, customer_, "창가 자리", std::nullopt, false);
  ASSERT_TRUE(note.ok());
  ASSERT_TRUE(services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kNote, note->id.value()).ok());
  auto note_again = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kNote, note->id.value());
  EXPECT_EQ(note_again.status().reason(), "already_undone");
}

TEST_F(UndoServiceTest, ANoteWrittenAfterAnUndoneOneIsUndoneToo) {
  // SQLite gives a deleted row's id to the next row: the second note may carry the first's id.
  for (const char* text : {"첫 메모", "둘째 메모"}) {
    auto note = services_->customers.AddNote(alice_, customer_, text, std::nullopt, false);
    ASSERT_TRUE(note.ok());
    auto undone = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kNote, note->id.value());
    ASSERT_TRUE(undone.ok()) << text << ": " << undone.status().ToString();
    EXPECT_EQ(undone->action.label, text);
  }
}

TEST_F(UndoServiceTest, OnlyTheLastActionIsUndoneAndTheOneBeforeComesNext) {
  const OrderId order = Sale(alice_, 10'000);
  clock_.AdvanceSeconds(60);
  auto note = services_->customers.AddNote(alice_, customer_, "라떼는 연하게", std::nullopt, false);
  ASSERT_TRUE(note.ok());
  auto old = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kOrder, order.value());
  EXPECT_EQ(old.status().reason(), "not_last_action");

  ASSERT_TRUE(services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kNote, note->id.value()).ok());
  auto notes = services_->customers.ListNotes(owner_, customer_);
  ASSERT_TRUE(notes.ok());
  EXPECT_TRUE(notes->empty());
  auto last = Last(alice_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, domain::CounterActionKind::kOrder);
}

TEST_F(UndoServiceTest, ARedemptionGetsItsUnitsBack) {
  Sale(alice_, 100'000);
  const int64_t before = Balance();
  clock_.AdvanceSeconds(60);
  RedeemRequest request;
  request.amount = 500;
  request.branch_id = branch_;
  auto redeemed = services_->loyalty.Redeem(alice_, customer_, request);
  ASSERT_TRUE(redeemed.ok()) << redeemed.status().ToString();
  EXPECT_EQ(Balance(), before - 500);
  auto last = Last(alice_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, domain::CounterActionKind::kRedemption);
  EXPECT_EQ(last->amount, 500);
  auto undone = services_->undo.Undo(alice_, customer_, last->kind, last->id);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->balance, before);
  EXPECT_EQ(Balance(), before);
  ExpectLedgerMatches();
}

TEST_F(UndoServiceTest, AUsedCouponBecomesUsableAgain) {
  domain::CouponTemplate t;
  t.name = "아메리카노 1잔";
  t.kind = domain::CouponKind::kFreeItem;
  t.value = 4'500;
  auto created = services_->loyalty.CreateTemplate(owner_, t);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto coupon = services_->loyalty.IssueCoupon(owner_, customer_, created->id);
  ASSERT_TRUE(coupon.ok());
  ASSERT_TRUE(
      services_->loyalty.RedeemCoupon(alice_, coupon->code, customer_, branch_, std::nullopt, std::nullopt).ok());
  auto last = Last(alice_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, domain::CounterActionKind::kCouponUse);
  EXPECT_EQ(last->label, "아메리카노 1잔");
  ASSERT_TRUE(services_->undo.Undo(alice_, customer_, last->kind, last->id).ok());
  auto coupons = services_->loyalty.Coupons(owner_, customer_);
  ASSERT_TRUE(coupons.ok());
  ASSERT_EQ(coupons->size(), 1u);
  EXPECT_EQ(coupons->front().status, domain::CouponStatus::kIssued);
  EXPECT_FALSE(coupons->front().redeemed_at);
  EXPECT_TRUE(services_->loyalty.RedeemCoupon(bob_, coupon->code, customer_, branch_, std::nullopt, std::nullopt).ok());
}

TEST_F(UndoServiceTest, APreferenceIsRemoved) {
  auto preference = services_->customers.AddPreference(alice_, customer_, domain::PreferenceKind::kAllergy, "땅콩");
  ASSERT_TRUE(preference.ok());
  auto last = Last(alice_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, domain::CounterActionKind::kPreference);
  ASSERT_TRUE(services_->undo.Undo(alice_, customer_, last->kind, last->id).ok());
  auto profile = services_->customers.Get(owner_, customer_);
  ASSERT_TRUE(profile.ok());
  EXPECT_TRUE(profile->preferences.empty());
}

TEST_F(UndoServiceTest, StaffUndoOnlyTheirOwnActionsAndManagersAnyone) {
  const OrderId order = Sale(alice_, 10'000);
  EXPECT_FALSE(Last(bob_));
  auto by_bob = services_->undo.Undo(bob_, customer_, domain::CounterActionKind::kOrder, order.value());
  EXPECT_EQ(by_bob.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(by_bob.status().reason(), "not_own_action");
  auto last = Last(manager_);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->id, order.value());
  EXPECT_TRUE(services_->undo.Undo(manager_, customer_, domain::CounterActionKind::kOrder, order.value()).ok());
  ExpectLedgerMatches();
}

TEST_F(UndoServiceTest, YesterdaysActionCannotBeUndone) {
  const OrderId order = Sale(alice_, 10'000);
  clock_.AdvanceSeconds(14 * 3600 + 3599);  // 23:59:59 in Seoul: still today
  ASSERT_TRUE(Last(alice_));
  clock_.AdvanceSeconds(1);  // midnight in Seoul
  EXPECT_FALSE(Last(alice_));
  auto late = services_->undo.Undo(alice_, customer_, domain::CounterActionKind::kOrder, order.value());
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.status().reason(), "not_last_action");
}

TEST_F(UndoServiceTest, AnotherCustomersActionIsNotThisCustomersLast) {
  const OrderId order = Sale(alice_, 10'000);
  domain::CustomerDraft draft;
  draft.phone = "010-9999-0000";
  auto other = services_->customers.Create(owner_, draft);
  ASSERT_TRUE(other.ok());
  auto wrong = services_->undo.Undo(alice_, other->id, domain::CounterActionKind::kOrder, order.value());
  EXPECT_EQ(wrong.status().reason(), "not_last_action");
  EXPECT_EQ(services_->undo.LastAction(alice_, CustomerId(999'999)).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace crm::app
