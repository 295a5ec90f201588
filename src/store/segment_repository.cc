#include "store/segment_repository.h"

namespace crm::store {
namespace {

#define SEGMENT_COLUMNS                                                                                      \
  "id, business_id, name, rfm_segment, stage, tag, consent_channel, min_tier_index, min_visits, min_spend, " \
  "visited_within_days, not_visited_for_days, overdue_only, created_at, updated_at"

constexpr Statement kInsert{
    "segment.insert",
    "INSERT INTO saved_segments (business_id, name, rfm_segment, stage, tag, consent_channel, min_tier_index, "
    "min_visits, min_spend, visited_within_days, not_visited_for_days, overdue_only, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"};
constexpr Statement kGet{"segment.get",
                         "SELECT " SEGMENT_COLUMNS " FROM saved_segments WHERE business_id = $1 AND id = $2"};
constexpr Statement kList{"segment.list",
                          "SELECT " SEGMENT_COLUMNS " FROM saved_segments WHERE business_id = $1 ORDER BY name, id"};
constexpr Statement kUpdate{
    "segment.update",
    "UPDATE saved_segments SET name = $3, rfm_segment = $4, stage = $5, tag = $6, consent_channel = $7, "
    "min_tier_index = $8, min_visits = $9, min_spend = $10, visited_within_days = $11, not_visited_for_days = $12, "
    "overdue_only = $13, updated_at = $14 WHERE business_id = $1 AND id = $2 RETURNING id"};
constexpr Statement kDelete{"segment.delete",
                            "DELETE FROM saved_segments WHERE business_id = $1 AND id = $2 RETURNING id"};

template <typename T>
SqlValue Optional(const std::optional<T>& value) {
  return value ? SqlValue(static_cast<int64_t>(*value)) : SqlValue(nullptr);
}

// Parameters $3.. of insert and update: name and filter.
std::vector<SqlValue> FilterValues(const domain::SavedSegment& s) {
  const domain::SegmentFilter& f = s.filter;
  return {Text(s.name),
          Optional(f.rfm_segment),
          f.stage ? Int(static_cast<int64_t>(*f.stage)) : Null(),
          Text(f.tag),
          f.consent ? Int(static_cast<int64_t>(*f.consent)) : Null(),
          Optional(f.min_tier_index),
          Optional(f.min_visits),
          Optional(f.min_spend),
          Optional(f.visited_within_days),
          Optional(f.not_visited_for_days),
          Int(f.overdue_only ? 1 : 0)};
}

domain::SavedSegment SegmentFromRow(const Row& row) {
  domain::SavedSegment s;
  s.id = SegmentId(row.GetInt(0));
  s.business_id = BusinessId(row.GetInt(1));
  s.name = row.GetText(2);
  domain::SegmentFilter& f = s.filter;
  if (auto v = row.GetOptionalInt(3)) f.rfm_segment = static_cast<int>(*v);
  if (auto v = row.GetOptionalInt(4)) f.stage = static_cast<domain::LifecycleStage>(*v);
  f.tag = row.GetText(5);
  if (auto v = row.GetOptionalInt(6)) f.consent = static_cast<domain::ConsentChannel>(*v);
  if (auto v = row.GetOptionalInt(7)) f.min_tier_index = static_cast<int>(*v);
  f.min_visits = row.GetOptionalInt(8);
  f.min_spend = row.GetOptionalInt(9);
  f.visited_within_days = row.GetOptionalInt(10);
  f.not_visited_for_days = row.GetOptionalInt(11);
  f.overdue_only = row.GetInt(12) != 0;
  s.created_at = Timestamp::FromMicros(row.GetInt(13));
  s.updated_at = Timestamp::FromMicros(row.GetInt(14));
  return s;
}

Status NameTaken(const Status& status) {
  if (status.code() == StatusCode::kAlreadyExists) return AlreadyExists("a segment of this name exists", "name");
  return status;
}

}  // namespace

Result<domain::SavedSegment> SegmentRepository::Create(domain::SavedSegment segment) {
  std::vector<SqlValue> params{Int(segment.business_id.value())};
  for (SqlValue& value : FilterValues(segment)) params.push_back(std::move(value));
  params.push_back(Int(segment.created_at.micros()));
  params.push_back(Int(segment.updated_at.micros()));
  auto rows = connection_.Query(kInsert, params);
  if (!rows.ok()) return NameTaken(rows.status());
  segment.id = SegmentId(rows->at(0).GetInt(0));
  return segment;
}

Result<domain::SavedSegment> SegmentRepository::Get(BusinessId business, SegmentId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGet, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("segment not found");
  return SegmentFromRow(rows[0]);
}

Result<std::vector<domain::SavedSegment>> SegmentRepository::List(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kList, {Int(business.value())}));
  std::vector<domain::SavedSegment> segments;
  for (const Row& row : rows) segments.push_back(SegmentFromRow(row));
  return segments;
}

Status SegmentRepository::Update(const domain::SavedSegment& segment) {
  std::vector<SqlValue> params{Int(segment.business_id.value()), Int(segment.id.value())};
  for (SqlValue& value : FilterValues(segment)) params.push_back(std::move(value));
  params.push_back(Int(segment.updated_at.micros()));
  auto rows = connection_.Query(kUpdate, params);
  if (!rows.ok()) return NameTaken(rows.status());
  if (rows->empty()) return NotFound("segment not found");
  return Status::Ok();
}

Status SegmentRepository::Delete(BusinessId business, SegmentId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDelete, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("segment not found");
  return Status::Ok();
}

}  // namespace crm::store
