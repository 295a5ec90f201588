// ImportJobs: imports that run in the background, for the API. An upload is queued with its bytes
// and answered at once with a job id; one worker thread runs the queued imports one after another
// (imports are long write transactions: running them side by side would only make them wait on
// each other), and the job's state, progress (rows read, bytes of the file) and finally the
// outcome or error can be read while and after it runs. Jobs live in memory: the committed runs
// are recorded by ImportService, the jobs themselves are lost with the process. The latest
// finished jobs are kept (kKeptFinished); older ones are forgotten. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/import_service.h"
#include "app/principal.h"
#include "common/status.h"
#include "common/time.h"

namespace crm::app {

enum class ImportJobState { kQueued, kRunning, kFinished, kFailed };
const char* ImportJobStateName(ImportJobState state);  // "queued", "running", "finished", "failed"

// What a caller sees of a job: a copy, consistent at the moment it was taken.
struct ImportJobView {
  int64_t id = 0;
  ImportJobState state = ImportJobState::kQueued;
  importing::ImportKind kind = importing::ImportKind::kCustomers;
  ImportAction action = ImportAction::kDryRun;
  ImportMode mode = ImportMode::kAllOrNothing;
  Timestamp created_at;
  std::optional<Timestamp> finished_at;
  ImportProgress progress;
  std::shared_ptr<const ImportOutcome> outcome;  // set when kFinished
  Status error;                                  // set when kFailed
};

class ImportJobs {
 public:
  static constexpr size_t kKeptFinished = 32;
  static constexpr size_t kMaxQueued = 4;  // each holds its whole file in memory

  // `imports` and `clock` must outlive this object.
  ImportJobs(ImportService& imports, const Clock& clock);
  // Waits for the running import to end (it commits or rolls back as a whole); queued ones are
  // dropped.
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Queues an import of `file` as `request` says (its on_progress is replaced). Returns the job's
  // id. Fails with kPermissionDenied below manager, kInvalidArgument ("body") for an empty file,
  // kResourceExhausted when kMaxQueued imports are already waiting.
  Result<int64_t> Submit(const Principal& principal, std::string file, ImportRequest request);

  // The job `id`. kNotFound when there is no such job of the principal's business (or it was
  // forgotten); kPermissionDenied below manager.
  Result<ImportJobView> Get(const Principal& principal, int64_t id) const;
  // Forgets the business's finished jobs: their reports quote the rows of the file, personal data
  // included (called after a customer of the business is erased). Running and queued jobs stay.
  void ForgetFinished(BusinessId business);
  // Like Get, but first blocks until the job has finished or failed.
  Result<ImportJobView> Wait(const Principal& principal, int64_t id) const;

 private:
  struct Job;
  void Work();
  void Run(Job& job);
  void ForgetOldFinished();  // with mutex_ held

  ImportService& imports_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;           // the worker: a job was queued, or stop
  mutable std::condition_variable ended_;  // waiters: a job ended
  bool stopping_ = false;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::thread worker_;  // started with the first job
};

}  // namespace crm::app
