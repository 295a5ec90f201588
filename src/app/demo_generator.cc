#include "app/demo_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <random>

#include "app/auth_service.h"
#include "app/demo_campaign.h"
#include "app/password_policy.h"
#include "domain/customer.h"
#include "domain/korean_text.h"
#include "domain/order.h"
#include "store/bulk_loader.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/loyalty_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kKstOffsetSeconds = 9 * 3600;
constexpr int64_t kHistoryDays = 730;
// The window of domain::ApplySale's visits_last_year (and of OrderService's count of sales before).
constexpr int64_t kYearMicros = 365 * kSecondsPerDay * kMicrosPerSecond;

// Rows (customers with their children, orders with their lines, stats updates) per Write.
constexpr int64_t kRowsPerWrite = 4000;

// ----------------------------------------------------------------------------------------------
// Randomness: mt19937_64's sequence is fixed by the standard; the distributions below are ours, in
// integer arithmetic, so the data is the same with every standard library and CPU.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class DemoRandom {
 public:
  explicit DemoRandom(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n) for n > 0: the high half of a 128-bit product (bias below n / 2^64).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(high - low + 1));
  }
  // True with probability per_mille / 1000.
  bool PerMille(int per_mille) { return Below(1000) < static_cast<uint64_t>(per_mille); }
  bool Percent(int percent) { return Below(100) < static_cast<uint64_t>(percent); }

 private:
  std::mt19937_64 engine_;
};

// Picks an index with probability proportional to its weight; zero weights are never picked.
class WeightedIndex {
 public:
  template <typename Range, typename Weight>
  WeightedIndex(const Range& items, Weight weight) {
    for (const auto& item : items) {
      total_ += weight(item);
      cumulative_.push_back(total_);
    }
  }
  size_t Pick(DemoRandom& random) const {
    const int64_t point = static_cast<int64_t>(random.Below(static_cast<uint64_t>(total_)));
    return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), point) -
                               cumulative_.begin());
  }

 private:
  int64_t total_ = 0;
  std::vector<int64_t> cumulative_;
};

// A bijection of [0, kSpace) onto itself, keyed by the seed: a 4-round Feistel network over 28
// bits, walked until it lands inside the space. It gives every customer a distinct number that
// looks random, without remembering the numbers handed out.
class PhonePermutation {
 public:
  static constexpr uint32_t kSpace = 80'000'000;  // 010-2000-0000 .. 010-9999-9999

  explicit PhonePermutation(uint64_t seed) {
    for (uint32_t& key : keys_) key = static_cast<uint32_t>(SplitMix64(seed));
  }
  uint32_t Map(uint32_t index) const {
    uint32_t value = index;
    do {
      value = Encrypt(value);
    } while (value >= kSpace);
    return value;
  }

 private:
  static uint32_t Mix(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7FEB352DU;
    x ^= x >> 15;
    x *= 0x846CA68BU;
    return x ^ (x >> 16);
  }
  uint32_t Encrypt(uint32_t value) const {
    uint32_t left = value >> 14;
    uint32_t right = value & 0x3FFF;
    for (uint32_t key : keys_) {
      const uint32_t next = left ^ (Mix(right ^ key) & 0x3FFF);
      left = right;
      right = next;
    }
    return (left << 14) | right;
  }
  std::array<uint32_t, 4> keys_{};
};

// ----------------------------------------------------------------------------------------------
// What the demo is made of.

struct FamilyName {
  std::string_view hangul;
  std::string_view roman;
  int weight;  // per 10,000 people, after the 2015 census
};
constexpr FamilyName kFamilyNames[] = {
    {"김", "kim", 2150},    {"이", "lee", 1470},    {"박", "park", 840},   {"최", "choi", 470},
    {"정", "jung", 430},    {"강", "kang", 230},    {"조", "cho", 210},    {"윤", "yoon", 200},
    {"장", "jang", 200},    {"임", "lim", 170},     {"한", "han", 150},    {"오", "oh", 150},
    {"서", "seo", 150},     {"신", "shin", 150},    {"권", "kwon", 140},   {"황", "hwang", 140},
    {"안", "ahn", 140},     {"송", "song", 130},    {"전", "jeon", 110},   {"홍", "hong", 110},
    {"유", "yoo", 110},     {"고", "ko", 90},       {"문", "moon", 90},    {"양", "yang", 90},
    {"손", "son", 90},      {"배", "bae", 80},      {"백", "baek", 70},    {"허", "heo", 70},
    {"노", "noh", 60},      {"남", "nam", 60},      {"심", "shim", 60},    {"하", "ha", 50},
    {"곽", "kwak", 40},     {"성", "sung", 40},     {"차", "cha", 40},     {"주", "joo", 40},
    {"우", "woo", 40},      {"구", "koo", 40},      {"민", "min", 30},     {"류", "ryu", 30},
    {"나", "na", 30},       {"진", "jin", 30},      {"지", "ji", 30},      {"엄", "eom", 30},
    {"채", "chae", 30},     {"원", "won", 20},      {"천", "cheon", 20},   {"방", "bang", 20},
    {"공", "kong", 20},     {"현", "hyun", 20},     {"함", "ham", 20},     {"변", "byun", 20},
    {"염", "yeom", 20},     {"여", "yeo", 20},      {"추", "choo", 10},    {"도", "do", 10},
    {"소", "so", 10},       {"석", "seok", 10},     {"설", "seol", 10},    {"마", "ma", 10},
    {"길", "gil", 10},      {"연", "yeon", 10},     {"위", "wi", 10},      {"표", "pyo", 10},
    {"명", "myung", 10},    {"기", "ki", 10},       {"반", "ban", 10},     {"왕", "wang", 10},
    {"금", "geum", 10},     {"옥", "ok", 10},       {"육", "yuk", 10},     {"인", "in", 10},
    {"맹", "maeng", 5},     {"탁", "tak", 5},       {"국", "kook", 5},     {"편", "pyeon", 5},
    {"남궁", "namgung", 4}, {"황보", "hwangbo", 2}, {"제갈", "jegal", 2},  {"선우", "sunwoo", 2},
    {"독고", "dokgo", 1},   {"사공", "sagong", 1},  {"서문", "seomun", 1},
};

struct Syllable {
  std::string_view hangul;
  std::string_view roman;
};
constexpr Syllable kMaleFirst[] = {
    {"민", "min"},   {"준", "jun"},   {"서", "seo"},   {"도", "do"},   {"예", "ye"},
    {"시", "si"},    {"주", "ju"},    {"하", "ha"},    {"지", "ji"},   {"현", "hyeon"},
    {"승", "seung"}, {"건", "geon"},  {"성", "seong"}, {"동", "dong"}, {"영", "yeong"},
    {"재", "jae"},   {"정", "jeong"}, {"상", "sang"},  {"진", "jin"},  {"태", "tae"},
    {"은", "eun"},   {"유", "yu"},    {"윤", "yun"},   {"우", "woo"}};
constexpr Syllable kMaleSecond[] = {
    {"준", "jun"},    {"우", "woo"},   {"호", "ho"},  {"윤", "yun"},  {"현", "hyeon"},
    {"민", "min"},    {"빈", "bin"},   {"원", "won"}, {"훈", "hun"},  {"혁", "hyeok"},
    {"수", "su"},     {"석", "seok"},  {"진", "jin"}, {"규", "gyu"},  {"환", "hwan"},
    {"형", "hyeong"}, {"철", "cheol"}, {"욱", "uk"},  {"연", "yeon"}, {"완", "wan"}};
constexpr Syllable kFemaleFirst[] = {{"서", "seo"}, {"지", "ji"},  {"하", "ha"},    {"수", "su"},
                                     {"민", "min"}, {"예", "ye"},  {"채", "chae"},  {"윤", "yun"},
                                     {"다", "da"},  {"은", "eun"}, {"유", "yu"},    {"소", "so"},
                                     {"혜", "hye"}, {"미", "mi"},  {"정", "jeong"}, {"나", "na"},
                                     {"아", "a"},   {"가", "ga"},  {"주", "ju"},    {"세", "se"}};
constexpr Syllable kFemaleSecond[] = {
    {"연", "yeon"},  {"윤", "yun"},    {"은", "eun"},   {"아", "a"},   {"서", "seo"},
    {"진", "jin"},   {"린", "rin"},    {"원", "won"},   {"희", "hui"}, {"영", "yeong"},
    {"현", "hyeon"}, {"경", "gyeong"}, {"정", "jeong"}, {"빈", "bin"}, {"나", "na"},
    {"미", "mi"},    {"인", "in"},     {"솔", "sol"},   {"주", "ju"},  {"율", "yul"}};
// Given names common among people born before the 1970s.
constexpr Syllable kOlderMale[] = {{"영수", "youngsoo"}, {"철수", "cheolsu"}, {"영호", "youngho"},
                                   {"정호", "jungho"},   {"성호", "sungho"},  {"상철", "sangcheol"},
                                   {"광수", "kwangsoo"}, {"동욱", "donguk"}};
constexpr Syllable kOlderFemale[] = {
    {"영희", "younghee"}, {"순자", "soonja"},    {"미숙", "misook"}, {"정숙", "jungsook"},
    {"경희", "kyunghee"}, {"영숙", "youngsook"}, {"은주", "eunju"},  {"미경", "mikyung"}};

struct LatinName {
  std::string_view name;
  std::string_view email_local;
  domain::Gender gender;
};
constexpr LatinName kLatinNames[] = {{"John Smith", "john.smith", domain::Gender::kMale},
                                     {"Emily Johnson", "emily.j", domain::Gender::kFemale},
                                     {"Michael Brown", "mbrown", domain::Gender::kMale},
                                     {"Sarah Miller", "sarah.miller", domain::Gender::kFemale},
                                     {"David Wilson", "dwilson", domain::Gender::kMale},
                                     {"Anna Schmidt", "anna.schmidt", domain::Gender::kFemale},
                                     {"Lucas Martin", "lucas.martin", domain::Gender::kMale},
                                     {"Sophie Dubois", "sophie.dubois", domain::Gender::kFemale},
                                     {"Tran Van Minh", "minh.tran", domain::Gender::kMale},
                                     {"Nguyen Thi Lan", "lan.nguyen", domain::Gender::kFemale},
                                     {"Maria Santos", "maria.santos", domain::Gender::kFemale},
                                     {"Yuki Tanaka", "yuki.tanaka", domain::Gender::kFemale},
                                     {"Wei Zhang", "zhang.wei", domain::Gender::kMale},
                                     {"Olivia Taylor", "olivia.t", domain::Gender::kFemale},
                                     {"James Anderson", "j.anderson", domain::Gender::kMale},
                                     {"Daniel Kim", "daniel.kim", domain::Gender::kMale}};

struct EmailDomain {
  std::string_view domain;
  int weight;
};
constexpr EmailDomain kEmailDomains[] = {
    {"naver.com", 45}, {"gmail.com", 30}, {"daum.net", 12}, {"kakao.com", 8}, {"hanmail.net", 5}};

struct MenuItem {
  std::string_view product;
  std::string_view category;
  int64_t price;    // won
  int cafe_weight;  // outside meal times
  int meal_weight;  // 11:00-14:00 and 17:00-20:00
};
constexpr MenuItem kMenu[] = {
    {"아메리카노", "커피", 4500, 30, 8},  {"카페라떼", "커피", 5000, 15, 4},
    {"바닐라라떼", "커피", 5500, 8, 2},   {"카푸치노", "커피", 5000, 5, 1},
    {"콜드브루", "커피", 5000, 6, 2},     {"디카페인 아메리카노", "커피", 5000, 4, 1},
    {"녹차라떼", "음료", 5500, 4, 1},     {"자몽에이드", "음료", 6000, 3, 2},
    {"유자차", "음료", 5000, 3, 1},       {"딸기스무디", "음료", 6500, 2, 1},
    {"크루아상", "베이커리", 4200, 6, 1}, {"소금빵", "베이커리", 3800, 6, 1},
    {"스콘", "베이커리", 3500, 3, 0},     {"치즈케이크", "디저트", 6500, 4, 1},
    {"티라미수", "디저트", 7000, 3, 1},   {"마카롱", "디저트", 2500, 3, 0},
    {"김치볶음밥", "식사", 9000, 1, 12},  {"된장찌개", "식사", 8000, 1, 10},
    {"비빔밥", "식사", 9500, 1, 10},      {"제육덮밥", "식사", 10000, 1, 9},
    {"김밥", "분식", 4500, 2, 8},         {"떡볶이", "분식", 5000, 1, 7}};

constexpr std::string_view kBranchNames[] = {"강남점", "홍대점", "판교점"};
constexpr int kHomeBranchWeights[] = {45, 35, 20};
// Opening hours 08:00-21:59 KST; weight of a visit starting in each hour.
constexpr int kHourWeights[] = {6, 6, 5, 7, 12, 10, 7, 7, 6, 5, 8, 8, 5, 3};
constexpr int kFirstHour = 8;

struct PreferenceSubject {
  domain::PreferenceKind kind;
  std::string_view subject;
};
constexpr PreferenceSubject kPreferenceSubjects[] = {
    {domain::PreferenceKind::kLike, "창가 자리"},    {domain::PreferenceKind::kLike, "디카페인"},
    {domain::PreferenceKind::kLike, "샷 추가"},      {domain::PreferenceKind::kLike, "오트 우유"},
    {domain::PreferenceKind::kLike, "얼음 적게"},    {domain::PreferenceKind::kLike, "테라스 자리"},
    {domain::PreferenceKind::kLike, "조용한 자리"},  {domain::PreferenceKind::kLike, "우유"},
    {domain::PreferenceKind::kDislike, "오이"},      {domain::PreferenceKind::kDislike, "고수"},
    {domain::PreferenceKind::kDislike, "마늘"},      {domain::PreferenceKind::kDislike, "휘핑크림"},
    {domain::PreferenceKind::kDislike, "매운 음식"}, {domain::PreferenceKind::kAllergy, "땅콩"},
    {domain::PreferenceKind::kAllergy, "우유"},      {domain::PreferenceKind::kAllergy, "갑각류"},
    {domain::PreferenceKind::kAllergy, "밀"},        {domain::PreferenceKind::kAllergy, "복숭아"},
    {domain::PreferenceKind::kNever, "참기름"},      {domain::PreferenceKind::kNever, "마늘"},
    {domain::PreferenceKind::kNever, "돼지고기"},    {domain::PreferenceKind::kNever, "카페인"}};
// Relative frequency of each kind: likes are common, alerts rarer.
constexpr int PreferenceWeight(domain::PreferenceKind kind) {
  switch (kind) {
    case domain::PreferenceKind::kLike:
      return 8;
    case domain::PreferenceKind::kDislike:
      return 6;
    case domain::PreferenceKind::kAllergy:
      return 4;
    case domain::PreferenceKind::kNever:
      return 5;
  }
  return 0;
}

constexpr std::string_view kNoteTexts[] = {"매주 토요일 오전에 가족과 방문",
                                           "노트북 작업하러 오심, 콘센트 자리 안내",
                                           "아이스 아메리카노 샷 추가 단골",
                                           "다음 달 생일 케이크 예약 문의함",
                                           "회사 회식 단체 예약 담당자",
                                           "반려견 동반, 테라스 자리 선호",
                                           "직원 이름을 기억해 주심, 반갑게 인사",
                                           "지난 방문 때 음료가 늦게 나와 서비스 쿠폰 드림",
                                           "크루아상 나오는 시간 물어보심 (오전 10시)",
                                           "대학원생, 시험 기간에 자주 오심",
                                           "근처 병원 간호사, 교대 후 방문",
                                           "포장 주문 많음, 빨대 빼 달라고 하심",
                                           "영어 메뉴판 요청",
                                           "유모차 동반, 입구 쪽 자리 안내",
                                           "된장찌개 덜 짜게 요청"};

constexpr std::string_view kAddresses[] = {
    "서울특별시 강남구 테헤란로", "서울특별시 마포구 양화로", "경기도 성남시 분당구 판교역로",
    "서울특별시 서초구 강남대로", "서울특별시 마포구 와우산로"};

constexpr std::string_view kPasswordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

// How often a customer comes: most once to three times, a few every week or more.
enum class Rhythm : uint8_t { kNone, kOccasional, kCasual, kRegular, kHeavy };
constexpr std::pair<Rhythm, int> kRhythms[] = {{Rhythm::kNone, 6},
                                               {Rhythm::kOccasional, 62},
                                               {Rhythm::kCasual, 23},
                                               {Rhythm::kRegular, 7},
                                               {Rhythm::kHeavy, 2}};

struct StaffSpec {
  std::string_view email;  // empty: the owner's, from the options
  std::string_view display_name;
  domain::Role role;
  std::array<int, 2> branches;  // indexes into the branches; -1 unused; all -1: every branch
};
constexpr StaffSpec kStaff[] = {{"", "김단골", domain::Role::kOwner, {-1, -1}},
                                {"manager@demo.dangol", "이지은", domain::Role::kManager, {-1, -1}},
                                {"gangnam@demo.dangol", "박서준", domain::Role::kStaff, {0, -1}},
                                {"hongdae@demo.dangol", "최유나", domain::Role::kStaff, {1, -1}},
                                {"pangyo@demo.dangol", "정민호", domain::Role::kStaff, {2, -1}},
                                {"floater@demo.dangol", "한소희", domain::Role::kStaff, {0, 1}}};

// ----------------------------------------------------------------------------------------------

// One customer being generated: the profile, what staff recorded about them, and which orders of
// the batch are theirs. Their visit statistics are folded into customer.stats as orders are made.
struct PendingCustomer {
  domain::Customer customer;
  std::vector<domain::Preference> preferences;
  std::vector<domain::Note> notes;
  size_t first_order = 0;  // their orders are the batch's [first_order, first_order + order_count)
  size_t order_count = 0;
};

class DemoGenerator {
 public:
  DemoGenerator(store::Database& database, const Clock& clock, const DemoOptions& options)
      : database_(database),
        options_(options),
        now_(clock.Now()),
        today_(FloorDiv(now_.seconds() + kKstOffsetSeconds, kSecondsPerDay)),
        first_day_(today_ - kHistoryDays + 1),
        profile_random_(DeriveSeed(1)),
        order_random_(DeriveSeed(2)),
        phones_(DeriveSeed(3)),
        family_names_(kFamilyNames, [](const FamilyName& name) { return name.weight; }),
        email_domains_(kEmailDomains, [](const EmailDomain& domain) { return domain.weight; }),
        cafe_menu_(kMenu, [](const MenuItem& item) { return item.cafe_weight; }),
        meal_menu_(kMenu, [](const MenuItem& item) { return item.meal_weight; }),
        home_branches_(kHomeBranchWeights, [](int weight) { return weight; }),
        hours_(kHourWeights, [](int weight) { return weight; }),
        rhythms_(kRhythms, [](const auto& rhythm) { return rhythm.second; }),
        preferences_(kPreferenceSubjects,
                     [](const PreferenceSubject& p) { return PreferenceWeight(p.kind); }) {}

  Result<DemoSummary> Run();

 private:
  static int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  }
  uint64_t DeriveSeed(uint64_t stream) const {
    uint64_t state = options_.seed ^ (stream * 0xD1B54A32D192ED03ULL);
    return SplitMix64(state);
  }

  Status ValidateOptions();
  std::string GeneratePassword();
  Status CreateBusiness();
  std::vector<StaffId> StaffForBranch(size_t branch) const;

  Status GenerateCustomers();
  void DrawCustomer(uint32_t index, PendingCustomer& pending);
  void PlanVisits(Rhythm rhythm, bool office_worker, std::vector<int64_t>& times);
  int64_t VisitTime(int64_t local_day, int preferred_hour);
  void DrawName(domain::Customer& customer, int birth_year, std::string& email_local);
  void DrawContact(domain::Customer& customer, uint32_t index, int birth_year,
                   const std::string& email_local);
  void DrawProfileExtras(domain::Customer& customer, Rhythm rhythm, bool office_worker,
                         int birth_year);
  void DrawConsents(domain::Customer& customer);
  void DrawPreferencesAndNotes(PendingCustomer& pending, const std::vector<int64_t>& visit_times,
                               size_t home_branch);
  void DrawReferrer(domain::Customer& customer);

  void PlanOrders(PendingCustomer& pending, size_t home_branch, bool group);
  size_t PlanSale(int64_t at_micros, size_t home_branch, bool group);
  void MaybePlanRefund(size_t sale, domain::VisitStats& stats);
  void FillLines(domain::Order& order, bool meal_time, bool group);
  size_t NextOrder(int64_t refund_of);
  Status WriteBatch(size_t customer_count, uint32_t first_index);

  store::Database& database_;
  const DemoOptions& options_;
  const Timestamp now_;
  const int64_t today_;      // local (KST) day number of now
  const int64_t first_day_;  // first local day of the history
  DemoRandom profile_random_;
  DemoRandom order_random_;
  PhonePermutation phones_;
  WeightedIndex family_names_, email_domains_, cafe_menu_, meal_menu_, home_branches_, hours_,
      rhythms_, preferences_;

  std::string password_;
  DemoSummary summary_;
  std::vector<BranchId> branches_;
  std::vector<domain::Staff> staff_;
  std::vector<std::vector<StaffId>> branch_staff_;  // who may work at each branch

  std::vector<CustomerId> ids_;        // per customer, once written
  std::vector<Timestamp> created_at_;  // per customer, for choosing earlier referrers
  uint32_t referrable_ = 0;            // customers written so far, whose ids are known
  std::vector<int64_t> visit_times_;   // scratch: the customer being drawn

  // The batch being prepared; reused from batch to batch so that strings keep their buffers.
  std::vector<PendingCustomer> pending_customers_;
  std::vector<domain::Order> orders_;
  std::vector<int64_t> refund_of_;  // per order: the batch index of the sale it refunds, or -1
  std::vector<OrderId> order_ids_;  // per order, once written
  size_t orders_used_ = 0;

  // The demo's loyalty program and, per order of the batch, what it earned and its ledger entry.
  domain::Program program_;
  std::vector<int64_t> earned_;
  std::vector<int64_t> earn_entry_;  // per order: the index of its earn entry in ledger_
  // The batch's ledger entries, and per entry the index of the entry it reverses, or -1.
  std::vector<domain::LedgerEntry> ledger_;
  std::vector<int64_t> ledger_related_;

  domain::LoyaltyAccount PlanLedger(CustomerId customer, const PendingCustomer& pending, uint32_t index);
};

// ---- Set-up: business, branches, accounts ----------------------------------------------------

Status DemoGenerator::ValidateOptions() {
  if (options_.customers < 0 || options_.customers > kMaxDemoCustomers) {
    return InvalidArgument(fmt::format("customers must be 0..{}", kMaxDemoCustomers), "customers");
  }
  CRM_RETURN_IF_ERROR(domain::ValidateSlug(options_.business_slug));
  const std::string& email = options_.owner_email;
  if (email.find('@') == std::string::npos || email.size() > 254 ||
      std::any_of(email.begin(), email.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return InvalidArgument("owner e-mail must be a lower-case address", "owner_email");
  }
  if (!options_.owner_password.empty()) {
    if (const Status policy = CheckPasswordPolicy(options_.owner_password); !policy.ok()) {
      return InvalidArgument(policy.message(), "owner_password");
    }
  }
  return Status::Ok();
}

std::string DemoGenerator::GeneratePassword() {
  DemoRandom random(DeriveSeed(4));
  std::string password;
  for (int group = 0; group < 3; ++group) {
    if (group > 0) password.push_back('-');
    for (int i = 0; i < 4; ++i)
      password.push_back(kPasswordAlphabet[random.Below(kPasswordAlphabet.size())]);
  }
  return password;
}

Status DemoGenerator::CreateBusiness() {
  Status found = database_.Read([&](store::Transaction& tx) -> Status {
    return tx.businesses().FindBySlug(options_.business_slug).status();
  });
  if (found.ok()) {
    return AlreadyExists(fmt::format("business \"{}\" exists", options_.business_slug), "slug");
  }
  if (found.code() != StatusCode::kNotFound) return found;

  const Timestamp opened =
      Timestamp::FromSeconds((first_day_ - 30) * kSecondsPerDay - kKstOffsetSeconds);
  // Argon2id is slow by design: hash outside the transaction. Each account gets its own hash (its
  // own salt), so that the stored hashes do not show which accounts share a password.
  staff_.clear();
  for (const StaffSpec& spec : kStaff) {
    domain::Staff staff;
    staff.email = spec.email.empty() ? options_.owner_email : std::string(spec.email);
    staff.display_name = spec.display_name;
    staff.role = spec.role;
    CRM_ASSIGN_OR_RETURN(staff.password_hash, AuthService::HashPassword(password_));
    staff.created_at = opened;
    staff_.push_back(std::move(staff));
  }
  return database_.Write([&](store::Transaction& tx) -> Status {
    domain::Business business;
    business.slug = options_.business_slug;
    business.name = "단골 카페 데모";
    business.created_at = opened;
    auto created = tx.businesses().Create(business);
    if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists(fmt::format("business \"{}\" exists", options_.business_slug), "slug");
    }
    CRM_RETURN_IF_ERROR(created.status());
    summary_.business_id = created->id;
    summary_.business_name = created->name;
    branches_.clear();
    for (std::string_view name : kBranchNames) {
      CRM_ASSIGN_OR_RETURN(domain::Branch branch, tx.branches().Create(domain::Branch{
                                                      {}, created->id, std::string(name), opened}));
      branches_.push_back(branch.id);
    }
    for (size_t i = 0; i < staff_.size(); ++i) {
      domain::Staff& staff = staff_[i];
      staff.business_id = created->id;
      staff.branch_ids.clear();
      for (int branch : kStaff[i].branches) {
        if (branch >= 0) staff.branch_ids.push_back(branches_[branch]);
      }
      CRM_ASSIGN_OR_RETURN(domain::Staff stored, tx.staff().Create(staff));
      staff.id = stored.id;
    }
    // A points program, so that the counter shows balances and the ledger has history.
    program_ = *domain::ProgramPreset("points");
    return tx.loyalty().SaveProgram(created->id, program_, opened);
  });
}

std::vector<StaffId> DemoGenerator::StaffForBranch(size_t branch) const {
  std::vector<StaffId> ids;
  for (const domain::Staff& staff : staff_) {
    if (staff.CanAccessBranch(branches_[branch])) ids.push_back(staff.id);
  }
  return ids;
}

// ---- Customers --------------------------------------------------------------------------------

void DemoGenerator::PlanVisits(Rhythm rhythm, bool office_worker, std::vector<int64_t>& times) {
  DemoRandom& random = profile_random_;
  times.clear();
  if (rhythm == Rhythm::kNone) return;
  const int preferred_hour = office_worker ? (random.Percent(50) ? 8 : 12)
                                           : kFirstHour + static_cast<int>(hours_.Pick(random));
  int64_t day = first_day_ + static_cast<int64_t>(random.Below(kHistoryDays));
  int64_t last_day = today_;
  int64_t mean_gap = 0;
  int64_t visits_left = INT64_MAX;
  switch (rhythm) {
    case Rhythm::kOccasional:
      visits_left = random.Percent(60) ? 1 : (random.Percent(62) ? 2 : 3);
      mean_gap = 40;
      break;
    case Rhythm::kCasual:
      mean_gap = random.Between(30, 90);
      last_day = day + random.Between(60, 730);
      break;
    case Rhythm::kRegular:
      mean_gap = random.Between(6, 14);
      last_day = day + random.Between(60, 420);
      break;
    case Rhythm::kHeavy:
    default:
      mean_gap = random.Between(3, 7);
      last_day = day + random.Between(60, 420);
  }
  last_day = std::min(last_day, today_);
  while (day <= last_day && visits_left-- > 0) {
    // Office workers come on weekdays; day 0 (1970-01-01) was a Thursday.
    const int64_t weekday = ((day + 4) % 7 + 7) % 7;  // 0 = Sunday
    if (office_worker && (weekday == 0 || weekday == 6)) day += weekday == 6 ? 2 : 1;
    if (day > last_day) break;
    const int64_t at = VisitTime(day, random.Percent(65) ? preferred_hour : -1);
    if (at <= now_.micros()) times.push_back(at);
    int64_t gap = std::max<int64_t>(1, random.Between(mean_gap / 2, mean_gap + mean_gap / 2));
    if (random.Percent(4)) gap += mean_gap * 3;  // a holiday, a busy month
    day += gap;
  }
}

int64_t DemoGenerator::VisitTime(int64_t local_day, int preferred_hour) {
  DemoRandom& random = profile_random_;
  const int hour =
      preferred_hour >= 0 ? preferred_hour : kFirstHour + static_cast<int>(hours_.Pick(random));
  const int64_t second_of_day = hour * 3600 + static_cast<int64_t>(random.Below(3600));
  return (local_day * kSecondsPerDay + second_of_day - kKstOffsetSeconds) * kMicrosPerSecond;
}

void DemoGenerator::DrawName(domain::Customer& customer, int birth_year, std::string& email_local) {
  DemoRandom& random = profile_random_;
  if (random.PerMille(15)) {
    const LatinName& latin = kLatinNames[random.Below(std::size(kLatinNames))];
    customer.name = latin.name;
    customer.gender = latin.gender;
    email_local = latin.email_local;
    return;
  }
  const FamilyName& family = kFamilyNames[family_names_.Pick(random)];
  const bool female = random.Percent(52);
  customer.gender = female ? domain::Gender::kFemale : domain::Gender::kMale;
  customer.name = family.hangul;
  std::string roman_given;
  if (birth_year < 1972 && random.Percent(40)) {
    const Syllable& given = female ? kOlderFemale[random.Below(std::size(kOlderFemale))]
                                   : kOlderMale[random.Below(std::size(kOlderMale))];
    customer.name += given.hangul;
    roman_given = given.roman;
  } else {
    const Syllable& first = female ? kFemaleFirst[random.Below(std::size(kFemaleFirst))]
                                   : kMaleFirst[random.Below(std::size(kMaleFirst))];
    customer.name += first.hangul;
    roman_given = first.roman;
    if (!random.Percent(4)) {  // a few given names have one syllable
      const Syllable* second;
      do {
        second = female ? &kFemaleSecond[random.Below(std::size(kFemaleSecond))]
                        : &kMaleSecond[random.Below(std::size(kMaleSecond))];
      } while (second->hangul == first.hangul);
      customer.name += second->hangul;
      roman_given += second->roman;
    }
  }
  switch (random.Below(3)) {
    case 0:
      email_local = fmt::format("{}{}{:02}", roman_given, family.roman, birth_year % 100);
      break;
    case 1:
      email_local = fmt::format("{}.{}{}", family.roman, roman_given, random.Below(100));
      break;
    default:
      email_local =
          fmt::format("{}_{}{:03}", roman_given, family.roman.substr(0, 1), random.Below(1000));
  }
}

void DemoGenerator::DrawContact(domain::Customer& customer, uint32_t index, int birth_year,
                                const std::string& email_local) {
  DemoRandom& random = profile_random_;
  customer.phone_e164 = fmt::format("+8210{:08}", 20'000'000 + phones_.Map(index));
  customer.email.clear();
  if (random.Percent(35)) {
    customer.email =
        fmt::format("{}@{}", email_local, kEmailDomains[email_domains_.Pick(random)].domain);
  }
  customer.birthday.reset();
  if (random.Percent(70)) {
    domain::Birthday birthday;
    // Older customers often keep their birthday by the lunar calendar.
    const bool lunar = random.Percent(birth_year < 1975 ? 35 : 5);
    birthday.calendar = lunar ? domain::CalendarType::kLunar : domain::CalendarType::kSolar;
    birthday.date.year = birth_year;
    birthday.date.month = static_cast<int>(random.Between(1, 12));
    const Date month_start{birth_year, birthday.date.month, 1};
    const int64_t first = DaysFromCivil(birth_year, birthday.date.month, 1);
    const int64_t next = month_start.month == 12
                             ? DaysFromCivil(birth_year + 1, 1, 1)
                             : DaysFromCivil(birth_year, birthday.date.month + 1, 1);
    // A lunar month has 29 or 30 days; the stored date must also be a real solar date.
    const int64_t days = lunar ? std::min<int64_t>(29, next - first) : next - first;
    birthday.date.day = static_cast<int>(random.Between(1, days));
    customer.birthday = birthday;
  }
  if (random.Percent(15)) customer.gender = domain::Gender::kUnspecified;
}

void DemoGenerator::DrawProfileExtras(domain::Customer& customer, Rhythm rhythm, bool office_worker,
                                      int birth_year) {
  DemoRandom& random = profile_random_;
  customer.tags.clear();
  const bool frequent = rhythm == Rhythm::kRegular || rhythm == Rhythm::kHeavy;
  if (rhythm == Rhythm::kHeavy ? random.Percent(35) : (frequent && random.Percent(6))) {
    customer.tags.push_back("VIP");
  }
  if (office_worker) customer.tags.push_back("근처 직장인");
  if (birth_year >= 2000 && random.Percent(30)) customer.tags.push_back("학생");
  if (random.Percent(5)) customer.tags.push_back("가족");
  if (random.Percent(7)) customer.tags.push_back("테이크아웃");
  if (random.Percent(2)) customer.tags.push_back("반려견 동반");

  const uint64_t source = random.Below(100);
  customer.source = source < 62   ? domain::SourceChannel::kCounter
                    : source < 82 ? domain::SourceChannel::kKiosk
                    : source < 92 ? domain::SourceChannel::kOnline
                    : source < 97 ? domain::SourceChannel::kReferral
                                  : domain::SourceChannel::kOther;

  customer.anniversaries.clear();
  if (birth_year < 1995 && random.Percent(4)) {
    const int year = static_cast<int>(random.Between(std::max(1975, birth_year + 22), 2023));
    customer.anniversaries.push_back(
        {"결혼기념일", Date{year, static_cast<int>(random.Between(1, 12)),
                            static_cast<int>(random.Between(1, 28))}});
  }
  customer.address.clear();
  if (random.Percent(8)) {
    customer.address = fmt::format("{} {}", kAddresses[random.Below(std::size(kAddresses))],
                                   random.Between(1, 400));
  }
}

void DemoGenerator::DrawConsents(domain::Customer& customer) {
  DemoRandom& random = profile_random_;
  customer.consents.clear();
  if (random.Percent(15)) return;  // never asked: signed up before consent was recorded
  const char* source = customer.source == domain::SourceChannel::kKiosk    ? "kiosk"
                       : customer.source == domain::SourceChannel::kOnline ? "web"
                                                                           : "counter";
  const bool sms = random.Percent(65);
  customer.consents.push_back({domain::ConsentChannel::kSms, sms, customer.created_at, source});
  customer.consents.push_back(
      {domain::ConsentChannel::kKakao, random.Percent(55), customer.created_at, source});
  if (!customer.email.empty()) {
    customer.consents.push_back(
        {domain::ConsentChannel::kEmail, random.Percent(45), customer.created_at, source});
  }
  if (sms && random.Percent(30)) {
    customer.consents.push_back(
        {domain::ConsentChannel::kNight, random.Percent(35), customer.created_at, source});
  }
  // Some later opted out of SMS through the free 080 number.
  if (sms && random.Percent(5)) {
    const int64_t span = now_.micros() - customer.created_at.micros();
    if (span > kMicrosPerSecond) {
      customer.consents[0].granted = false;
      customer.consents[0].at = Timestamp::FromMicros(customer.created_at.micros() + 1 +
                                                      static_cast<int64_t>(random.Below(span)));
      customer.consents[0].source = "080 수신거부";
    }
  }
}

void DemoGenerator::DrawPreferencesAndNotes(PendingCustomer& pending,
                                            const std::vector<int64_t>& visit_times,
                                            size_t home_branch) {
  DemoRandom& random = profile_random_;
  pending.preferences.clear();
  pending.notes.clear();
  const std::vector<StaffId>& staff = branch_staff_[home_branch];
  const auto recorded_at = [&](int64_t from_micros) {
    const int64_t at =
        from_micros + (2 + static_cast<int64_t>(random.Below(40))) * 60 * kMicrosPerSecond;
    return Timestamp::FromMicros(std::min(at, now_.micros()));
  };
  if (random.Percent(28)) {
    const int64_t count = random.Between(1, 3);
    for (int64_t i = 0; i < count; ++i) {
      const PreferenceSubject& choice = kPreferenceSubjects[preferences_.Pick(random)];
      const bool duplicate =
          std::any_of(pending.preferences.begin(), pending.preferences.end(),
                      [&](const domain::Preference& p) { return p.subject == choice.subject; });
      if (duplicate) continue;
      domain::Preference preference;
      preference.kind = choice.kind;
      preference.subject = choice.subject;
      preference.created_by = staff[random.Below(staff.size())];
      preference.created_at = recorded_at(pending.customer.created_at.micros());
      pending.preferences.push_back(std::move(preference));
    }
  }
  if (visit_times.empty() || !random.Percent(12)) return;
  const int64_t count = random.Percent(25) ? 2 : 1;
  for (int64_t i = 0; i < count; ++i) {
    domain::Note note;
    note.author_id = staff[random.Below(staff.size())];
    note.branch_id = branches_[home_branch];
    note.text = kNoteTexts[random.Below(std::size(kNoteTexts))];
    note.pinned = random.Percent(25);
    note.created_at = recorded_at(visit_times[random.Below(visit_times.size())]);
    pending.notes.push_back(std::move(note));
  }
}

void DemoGenerator::DrawReferrer(domain::Customer& customer) {
  customer.referrer_id.reset();
  if (customer.source != domain::SourceChannel::kReferral) return;
  // Referrers come from batches already written, so their ids are known; try a few for one who
  // was a customer first.
  for (int attempt = 0; attempt < 4 && referrable_ > 0; ++attempt) {
    const uint32_t candidate = static_cast<uint32_t>(profile_random_.Below(referrable_));
    if (created_at_[candidate] < customer.created_at) {
      customer.referrer_id = ids_[candidate];
      return;
    }
  }
}

int PickBirthYear(DemoRandom& random) {
  struct Decade {
    int first;
    int last;
    int weight;
  };
  static constexpr Decade kDecades[] = {{1950, 1959, 5},  {1960, 1969, 10}, {1970, 1979, 17},
                                        {1980, 1989, 25}, {1990, 1999, 28}, {2000, 2008, 15}};
  int64_t point = static_cast<int64_t>(random.Below(100));
  for (const Decade& decade : kDecades) {
    if (point < decade.weight) return static_cast<int>(random.Between(decade.first, decade.last));
    point -= decade.weight;
  }
  return 1990;
}

void DemoGenerator::DrawCustomer(uint32_t index, PendingCustomer& pending) {
  DemoRandom& random = profile_random_;
  domain::Customer& customer = pending.customer;
  const Rhythm rhythm = kRhythms[rhythms_.Pick(random)].first;
  const bool office_worker = rhythm >= Rhythm::kCasual && random.Percent(20);
  const size_t home_branch = home_branches_.Pick(random);
  const bool group = random.PerMille(25);  // orders several of each item
  PlanVisits(rhythm, office_worker, visit_times_);

  // Most sign up at the counter on their first visit, a few minutes before paying.
  const int64_t history_start =
      (first_day_ * kSecondsPerDay - kKstOffsetSeconds) * kMicrosPerSecond;
  customer.created_at =
      visit_times_.empty()
          ? Timestamp::FromMicros(history_start +
                                  static_cast<int64_t>(random.Below(now_.micros() - history_start)))
          : Timestamp::FromMicros(visit_times_.front() -
                                  random.Between(60, 600) * kMicrosPerSecond);
  customer.updated_at = customer.created_at;
  customer.business_id = summary_.business_id;
  const int birth_year = PickBirthYear(random);
  std::string email_local;
  DrawName(customer, birth_year, email_local);
  domain::NameParts parts = domain::SplitName(customer.name);
  customer.family_name = std::move(parts.family);
  customer.given_name = std::move(parts.given);
  DrawContact(customer, index, birth_year, email_local);
  DrawProfileExtras(customer, rhythm, office_worker, birth_year);
  if (group) customer.tags.push_back("단체");
  DrawConsents(customer);
  DrawReferrer(customer);
  DrawPreferencesAndNotes(pending, visit_times_, home_branch);
  summary_.preference_count += static_cast<int64_t>(pending.preferences.size());
  summary_.note_count += static_cast<int64_t>(pending.notes.size());
  PlanOrders(pending, home_branch, group);
  created_at_.push_back(customer.created_at);
}

// The rows a customer adds to a write: profile, children, orders with lines, the stats update.
int64_t RowsOf(const PendingCustomer& pending, const std::vector<domain::Order>& orders) {
  const domain::Customer& customer = pending.customer;
  int64_t rows = static_cast<int64_t>(2 + customer.tags.size() + customer.consents.size() +
                                      customer.anniversaries.size() + pending.preferences.size() +
                                      pending.notes.size() + pending.order_count);
  for (size_t i = pending.first_order; i < pending.first_order + pending.order_count; ++i) {
    rows += static_cast<int64_t>(orders[i].lines.size());
  }
  return rows;
}

Status DemoGenerator::WriteBatch(size_t customer_count, uint32_t first_index) {
  const BusinessId business = summary_.business_id;
  return database_.Write([&](store::Transaction& tx) -> Status {
    store::BulkLoader bulk(tx.connection());
    CRM_ASSIGN_OR_RETURN(const std::vector<CustomerId> customer_ids, bulk.ReserveCustomerIds(customer_count));
    CRM_ASSIGN_OR_RETURN(order_ids_, bulk.ReserveOrderIds(orders_used_));
    int64_t change_seq = 0;
    if (orders_used_ > 0) {
      CRM_ASSIGN_OR_RETURN(change_seq, bulk.TakeOrderChangeSeq(business));
    }
    ledger_.clear();
    ledger_related_.clear();
    for (size_t i = 0; i < customer_count; ++i) {
      PendingCustomer& pending = pending_customers_[i];
      const CustomerId id = customer_ids[i];
      ids_[first_index + i] = id;
      domain::Customer& customer = pending.customer;
      customer.id = id;
      // As the order service leaves it: a customer who came has the stats of the last write.
      customer.updated_at = customer.stats.first_visit_at ? now_ : customer.created_at;
      bulk.AddCustomer(customer);
      for (const domain::Preference& preference : pending.preferences) bulk.AddPreference(business, id, preference);
      for (domain::Note& note : pending.notes) {
        note.customer_id = id;
        bulk.AddNote(business, note);
      }
      for (size_t o = pending.first_order; o < pending.first_order + pending.order_count; ++o) {
        domain::Order& order = orders_[o];
        order.id = order_ids_[o];
        order.customer_id = id;
        if (refund_of_[o] >= 0) order.original_order_id = order_ids_[static_cast<size_t>(refund_of_[o])];
        bulk.AddOrder(order, change_seq);
      }
      // A customer who never came has no ledger and no account.
      if (!customer.stats.first_visit_at) continue;
      bulk.AddAccount(business, PlanLedger(id, pending, first_index + static_cast<uint32_t>(i)));
    }
    CRM_ASSIGN_OR_RETURN(const std::vector<LedgerEntryId> entry_ids, bulk.ReserveLedgerEntryIds(ledger_.size()));
    for (size_t e = 0; e < ledger_.size(); ++e) {
      ledger_[e].id = entry_ids[e];
      if (ledger_related_[e] >= 0) ledger_[e].related_id = entry_ids[static_cast<size_t>(ledger_related_[e])];
      bulk.AddLedgerEntry(ledger_[e]);
    }
    return bulk.Flush();
  });
}

// The customer's ledger as the order service would have written it: each sale earns by the
// program, each refund takes back its share. The entries go to ledger_ (a reversal names the
// entry it reverses by its index there, in ledger_related_); returns the account, which holds
// the sum and a referral code drawn from the seed and the customer's index (deterministic, unlike
// the service's random codes).
domain::LoyaltyAccount DemoGenerator::PlanLedger(CustomerId customer, const PendingCustomer& pending,
                                                 uint32_t index) {
  const BusinessId business = summary_.business_id;
  if (earned_.size() < orders_used_) {
    earned_.resize(orders_used_);
    earn_entry_.resize(orders_used_);
  }
  domain::LoyaltyAccount account;
  account.customer_id = customer;
  account.updated_at = now_;
  for (size_t o = pending.first_order; o < pending.first_order + pending.order_count; ++o) {
    const domain::Order& order = orders_[o];
    domain::LedgerEntry entry;
    entry.business_id = business;
    entry.customer_id = customer;
    entry.order_id = order_ids_[o];
    entry.branch_id = order.branch_id;
    entry.staff_id = order.staff_id;
    entry.created_at = order.ordered_at;
    earned_[o] = 0;
    int64_t related = -1;
    if (order.kind == domain::OrderKind::kSale) {
      entry.kind = domain::LedgerKind::kEarn;
      entry.amount = domain::BaseEarn(program_, order);
      entry.reason = "주문 적립";
      entry.expires_at = domain::AddMonths(order.ordered_at, program_.expiry_months);
      if (entry.amount == 0) continue;
      earned_[o] = entry.amount;
    } else {
      const size_t sale = static_cast<size_t>(refund_of_[o]);
      const int64_t share = domain::ProportionalShare(-earned_[sale], orders_[sale].total, Money(), -order.total);
      entry.kind = domain::LedgerKind::kReverse;
      entry.amount = -std::min(-share, account.balance);
      related = earn_entry_[sale];
      entry.reason = "환불: 적립 취소";
      if (entry.amount == 0) continue;
    }
    earn_entry_[o] = static_cast<int64_t>(ledger_.size());
    account.balance += entry.amount;
    ledger_.push_back(std::move(entry));
    ledger_related_.push_back(related);
  }
  uint64_t mixed = options_.seed * 0x9E3779B97F4A7C15ULL + index;
  mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
  mixed ^= mixed >> 31;
  unsigned char bytes[8];
  for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(mixed >> (8 * b));
  account.referral_code = domain::CouponCodeFromBytes(bytes).substr(0, 8);
  return account;
}

// Customers are drawn and written in batches with their orders, customer after customer: the
// orders' customer index and the stats updates then touch few pages per write, which keeps a
// million customers to minutes. Order ids therefore follow time within a customer only.
Status DemoGenerator::GenerateCustomers() {
  const auto total = static_cast<uint32_t>(options_.customers);
  ids_.assign(total, CustomerId());
  created_at_.reserve(total);
  size_t used = 0;
  int64_t rows = 0;
  uint32_t batch_start = 0;
  for (uint32_t index = 0; index < total; ++index) {
    if (used == pending_customers_.size()) pending_customers_.emplace_back();
    PendingCustomer& pending = pending_customers_[used++];
    DrawCustomer(index, pending);
    rows += RowsOf(pending, orders_);
    if (rows < kRowsPerWrite && index + 1 < total) continue;
    CRM_RETURN_IF_ERROR(WriteBatch(used, batch_start));
    batch_start = index + 1;
    referrable_ = batch_start;
    used = 0;
    rows = 0;
    orders_used_ = 0;
    if (options_.progress) {
      options_.progress(DemoProgress{"customers", batch_start, total, summary_.order_count});
    }
  }
  summary_.customer_count = total;
  return Status::Ok();
}

// ---- Orders -----------------------------------------------------------------------------------

size_t DemoGenerator::NextOrder(int64_t refund_of) {
  if (orders_used_ == orders_.size()) {
    orders_.emplace_back();
    refund_of_.push_back(-1);
  }
  refund_of_[orders_used_] = refund_of;
  domain::Order& order = orders_[orders_used_];
  order.business_id = summary_.business_id;
  order.kind = domain::OrderKind::kSale;
  order.staff_id.reset();
  order.customer_id.reset();
  order.original_order_id.reset();
  order.channel = domain::OrderChannel::kCounter;
  return orders_used_++;
}

void DemoGenerator::FillLines(domain::Order& order, bool meal_time, bool group) {
  DemoRandom& random = order_random_;
  const uint64_t roll = random.Below(100);
  const size_t count = roll < 55 ? 1 : roll < 85 ? 2 : roll < 95 ? 3 : 4;
  order.lines.resize(count);  // shrinking keeps the remaining lines' string buffers
  std::array<size_t, 4> chosen{};
  int64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t item;
    do {
      item = (meal_time ? meal_menu_ : cafe_menu_).Pick(random);
    } while (std::find(chosen.begin(), chosen.begin() + i, item) != chosen.begin() + i);
    chosen[i] = item;
    const MenuItem& menu = kMenu[item];
    domain::OrderLine& line = order.lines[i];
    line.product.assign(menu.product);
    line.category.assign(menu.category);
    const uint64_t quantity_roll = random.Below(100);
    line.quantity = group ? random.Between(2, 6)
                          : (quantity_roll < 86   ? 1
                             : quantity_roll < 97 ? 2
                                                  : 3);
    line.unit_price = Money(menu.price);
    total += line.quantity * menu.price;
  }
  order.total = Money(total);
}

size_t DemoGenerator::PlanSale(int64_t at_micros, size_t home_branch, bool group) {
  DemoRandom& random = order_random_;
  const size_t branch = random.Percent(85) ? home_branch : random.Below(branches_.size());
  const size_t index = NextOrder(-1);
  domain::Order& order = orders_[index];
  order.branch_id = branches_[branch];
  order.ordered_at = Timestamp::FromMicros(at_micros);
  order.created_at = order.ordered_at;
  const int64_t hour = FloorDiv(at_micros / kMicrosPerSecond + kKstOffsetSeconds, 3600) % 24;
  const bool meal_time = (hour >= 11 && hour < 14) || (hour >= 17 && hour < 20);
  const uint64_t channel = random.Below(100);
  order.channel = channel < 76   ? domain::OrderChannel::kCounter
                  : channel < 88 ? domain::OrderChannel::kPos
                  : channel < 95 ? (meal_time ? domain::OrderChannel::kDelivery
                                              : domain::OrderChannel::kCounter)
                                 : domain::OrderChannel::kOnline;
  const std::vector<StaffId>& staff = branch_staff_[branch];
  if (random.Percent(92)) order.staff_id = staff[random.Below(staff.size())];
  FillLines(order, meal_time, group);
  summary_.order_count += 1;
  summary_.line_count += static_cast<int64_t>(order.lines.size());
  return index;
}

// Now and then a refund within the hour or so (before the customer's next visit, a day or more
// later): usually one line of a larger order, sometimes all of it, which cancels the visit.
void DemoGenerator::MaybePlanRefund(size_t sale, domain::VisitStats& stats) {
  DemoRandom& random = order_random_;
  if (!random.PerMille(15)) return;
  const int64_t at =
      orders_[sale].ordered_at.micros() + random.Between(5, 90) * 60 * kMicrosPerSecond;
  if (at > now_.micros()) return;
  const std::vector<domain::OrderLine>& lines = orders_[sale].lines;
  Money amount = orders_[sale].total;
  if (lines.size() >= 2 && random.Percent(70)) {
    const domain::OrderLine& line = lines[random.Below(lines.size())];
    amount = Money(line.quantity * line.unit_price.minor_units());
  }
  const bool cancels_visit = amount == orders_[sale].total;
  const size_t index =
      NextOrder(static_cast<int64_t>(sale));  // may move orders_: index from here on
  domain::Order& refund = orders_[index];
  const domain::Order& original = orders_[sale];
  refund.kind = domain::OrderKind::kRefund;
  refund.branch_id = original.branch_id;
  refund.staff_id = original.staff_id;
  refund.channel = original.channel;
  refund.ordered_at = Timestamp::FromMicros(at);
  refund.created_at = refund.ordered_at;
  refund.total = -amount;
  refund.lines.clear();
  stats = domain::ApplyRefund(stats, amount, cancels_visit);
  summary_.order_count += 1;
  summary_.refund_count += 1;
}

// Makes the orders of the customer being drawn, oldest first, and folds them into their stats
// exactly as OrderService does: ApplySale with the sales of the 365 days before, ApplyRefund.
void DemoGenerator::PlanOrders(PendingCustomer& pending, size_t home_branch, bool group) {
  domain::VisitStats& stats = pending.customer.stats;
  stats = domain::VisitStats{};
  pending.first_order = orders_used_;
  size_t year_start = 0;
  for (size_t k = 0; k < visit_times_.size(); ++k) {
    while (visit_times_[year_start] < visit_times_[k] - kYearMicros) ++year_start;
    const size_t sale = PlanSale(visit_times_[k], home_branch, group);
    stats = domain::ApplySale(stats, orders_[sale], static_cast<int64_t>(k - year_start));
    MaybePlanRefund(sale, stats);
  }
  pending.order_count = orders_used_ - pending.first_order;
}

Result<DemoSummary> DemoGenerator::Run() {
  CRM_RETURN_IF_ERROR(ValidateOptions());
  password_ = options_.owner_password.empty() ? GeneratePassword() : options_.owner_password;
  CRM_RETURN_IF_ERROR(CreateBusiness());
  branch_staff_.clear();
  for (size_t branch = 0; branch < branches_.size(); ++branch)
    branch_staff_.push_back(StaffForBranch(branch));
  CRM_RETURN_IF_ERROR(GenerateCustomers());
  CRM_ASSIGN_OR_RETURN(DemoCampaignSummary campaign,
                       SeedDemoCampaign(database_, {summary_.business_id, staff_.front().id, branches_, options_.seed, now_}));
  summary_.campaign_id = campaign.campaign_id;
  summary_.campaign_treated = campaign.treated;
  summary_.campaign_control = campaign.control;
  summary_.campaign_orders = campaign.orders;
  summary_.order_count += campaign.orders;
  summary_.line_count += campaign.lines;
  summary_.business_slug = options_.business_slug;
  summary_.owner_email = options_.owner_email;
  summary_.owner_password = password_;
  for (const domain::Staff& staff : staff_)
    summary_.accounts.push_back({staff.email, staff.display_name, staff.role});
  return summary_;
}

}  // namespace

Result<DemoSummary> GenerateDemo(store::Database& database, const Clock& clock,
                                 const DemoOptions& options) {
  // On the heap: the generator keeps a few tables per customer while it runs.
  auto generator = std::make_unique<DemoGenerator>(database, clock, options);
  return generator->Run();
}

}  // namespace crm::app
