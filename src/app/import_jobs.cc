#include "app/import_jobs.h"

#include <exception>
#include <sstream>
#include <utility>

namespace crm::app {

const char* ImportJobStateName(ImportJobState state) {
  switch (state) {
    case ImportJobState::kQueued:
      return "queued";
    case ImportJobState::kRunning:
      return "running";
    case ImportJobState::kFinished:
      return "finished";
    case ImportJobState::kFailed:
      return "failed";
  }
  return "failed";
}

struct ImportJobs::Job {
  Principal principal;
  ImportRequest request;
  std::string file;  // released when the import starts
  ImportJobView view;
};

ImportJobs::ImportJobs(ImportService& imports, const Clock& clock) : imports_(imports), clock_(clock) {}

ImportJobs::~ImportJobs() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  ended_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<int64_t> ImportJobs::Submit(const Principal& principal, std::string file, ImportRequest request) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (file.empty()) return InvalidArgument("is empty: send the CSV or XLSX file as the request body", "body");
  std::lock_guard lock(mutex_);
  if (queue_.size() >= kMaxQueued) {
    return ResourceExhausted("too many imports are waiting; try again when one has finished");
  }
  auto job = std::make_shared<Job>();
  job->principal = principal;
  job->principal.idempotency.reset();
  job->view.id = next_id_++;
  job->view.kind = request.kind;
  job->view.action = request.action;
  job->view.mode = request.mode;
  job->view.created_at = clock_.Now();
  job->view.progress.bytes_total = static_cast<int64_t>(file.size());
  job->request = std::move(request);
  job->file = std::move(file);
  jobs_.emplace(job->view.id, job);
  queue_.push_back(job);
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  wake_.notify_one();
  return job->view.id;
}

Result<ImportJobView> ImportJobs::Get(const Principal& principal, int64_t id) const {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  std::lock_guard lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end() || found->second->principal.business_id != principal.business_id) {
    return NotFound("no such import");
  }
  return found->second->view;
}

Result<ImportJobView> ImportJobs::Wait(const Principal& principal, int64_t id) const {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  std::unique_lock lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end() || found->second->principal.business_id != principal.business_id) {
    return NotFound("no such import");
  }
  std::shared_ptr<Job> job = found->second;
  ended_.wait(lock, [&] { return job->view.finished_at.has_value() || stopping_; });
  return job->view;
}

void ImportJobs::Work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      job->view.state = ImportJobState::kRunning;
    }
    Run(*job);
  }
}

void ImportJobs::Run(Job& job) {
  std::string file;
  {
    std::lock_guard lock(mutex_);
    file = std::move(job.file);
  }
  ImportRequest request = job.request;
  request.on_progress = [this, &job](const ImportProgress& progress) {
    std::lock_guard lock(mutex_);
    job.view.progress = progress;
  };
  // The stream takes the bytes over without a copy.
  std::istringstream input(std::move(file));
  Result<ImportOutcome> outcome = InvalidArgument("not run");
  try {
    outcome = imports_.Import(job.principal, input, request);
  } catch (const std::exception&) {
    // Nothing below throws by design. The exception's text is not kept: it may quote the file.
    outcome = Internal("the import failed unexpectedly");
  }
  std::lock_guard lock(mutex_);
  job.view.finished_at = clock_.Now();
  if (outcome.ok()) {
    job.view.state = ImportJobState::kFinished;
    job.view.outcome = std::make_shared<const ImportOutcome>(std::move(outcome).value());
  } else {
    job.view.state = ImportJobState::kFailed;
    job.view.error = outcome.status();
  }
  ForgetOldFinished();
  ended_.notify_all();
}

void ImportJobs::ForgetFinished(BusinessId business) {
  std::lock_guard lock(mutex_);
  std::erase_if(jobs_, [&](const auto& entry) {
    return entry.second->principal.business_id == business && entry.second->view.finished_at.has_value();
  });
}

void ImportJobs::ForgetOldFinished() {
  size_t finished = 0;
  for (const auto& [id, job] : jobs_) {
    if (job->view.finished_at) ++finished;
  }
  for (auto it = jobs_.begin(); it != jobs_.end() && finished > kKeptFinished;) {
    if (it->second->view.finished_at) {
      it = jobs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

}  // namespace crm::app
