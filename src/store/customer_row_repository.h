// Reads of customers that take one statement where CustomerRepository takes several: the counter's
// pick list with its alerts, and the customer row an order locks and updates. On PostgreSQL every
// statement is a round trip, and these run on every lookup and every order.
#pragma once

#include <utility>
#include <vector>

#include "domain/customer.h"
#include "store/customer_repository.h"
#include "store/sql.h"

namespace crm::store {

// A pick list and the alerts (allergy, never) of its customers.
struct LookupHits {
  std::vector<domain::Customer> customers;                        // as CustomerRepository::Lookup returns them
  std::vector<std::pair<CustomerId, domain::Preference>> alerts;  // as CustomerRepository::Alerts returns them
};

// Not thread-safe: it uses the connection of one transaction.
class CustomerRowRepository {
 public:
  explicit CustomerRowRepository(SqlConnection& connection) : connection_(connection) {}

  // CustomerRepository::Lookup and then Alerts of the customers found; on PostgreSQL one
  // statement, so that it is consistent even outside a transaction block (store/read_latest.h).
  Result<LookupHits> LookupWithAlerts(BusinessId business, const LookupQuery& query);

  // Locks the customer row for the rest of the transaction (PostgreSQL) and returns the profile
  // and visit statistics, without tags, anniversaries, consents and preferences: one statement
  // where LockForUpdate and Get take six. kNotFound when not the business's.
  Result<domain::Customer> LockAndGetRow(BusinessId business, CustomerId id);

 private:
  SqlConnection& connection_;
};

// The profile columns of a customer row, name to address (name, family_name, given_name,
// name_key, given_key, initials, phone_e164, phone_last4, email, birthday, birthday_calendar,
// birthday_leap_month, gender, source, referrer_id, address), with the search keys derived from
// the name and phone as CustomerRepository::Insert stores them. For store/bulk_loader.h.
std::vector<SqlValue> CustomerProfileValues(const domain::Customer& customer);

}  // namespace crm::store
