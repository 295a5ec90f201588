#include "main/server_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace crm::cli {
namespace {

constexpr size_t kKeyHexLength = 64;

// Creates the file with a fresh key, only if it does not exist (O_EXCL), readable by its owner only.
Status CreateKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();  // another process made it first: read theirs
    return Unavailable(fmt::format("cannot create the server key file: {}", std::strerror(errno)));
  }
  const std::string text = SecretBox::GenerateKeyHex() + "\n";
  const ssize_t written = ::write(fd, text.data(), text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()) || !synced) {
    ::unlink(path.c_str());
    return Unavailable("cannot write the server key file");
  }
  spdlog::info("created a new server key file (mode 0600); keep it with the database's backups, apart from them");
  return Status::Ok();
}

Result<SecretBox> ReadKeyFile(const std::string& path, const char* option) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return Unavailable(fmt::format("cannot read the server key file: {}", std::strerror(errno)));
    CRM_RETURN_IF_ERROR(CreateKeyFile(path));
    if (::stat(path.c_str(), &info) != 0) return Unavailable("cannot read the server key file");
  }
  if ((info.st_mode & 077) != 0) {
    return FailedPrecondition("the server key file must be readable by its owner only (chmod 600)", option);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable(fmt::format("cannot read the server key file: {}", std::strerror(errno)));
  char buffer[128];
  const ssize_t length = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (length < 0) return Unavailable("cannot read the server key file");
  std::string text(buffer, static_cast<size_t>(length));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  auto box = SecretBox::FromHex(text);
  if (!box.ok()) return InvalidArgument(fmt::format("the server key file must hold {} hex characters", kKeyHexLength), option);
  return box;
}

}  // namespace

Result<std::optional<SecretBox>> LoadServerKey(const std::string& db_url, const std::string& key_file) {
  if (const char* env = std::getenv("DANGOL_SECRET_KEY"); env != nullptr && *env != '\0') {
    auto box = SecretBox::FromHex(env);
    if (!box.ok()) return InvalidArgument(fmt::format("must be {} hex characters", kKeyHexLength), "DANGOL_SECRET_KEY");
    return std::optional<SecretBox>(std::move(box).value());
  }
  std::string path = key_file;
  const char* option = "--secret-key-file";
  if (path.empty() && db_url.starts_with("sqlite:")) {
    path = db_url.substr(std::strlen("sqlite:")) + ".key";
    option = "server key file";
  }
  if (path.empty()) return std::optional<SecretBox>();
  CRM_ASSIGN_OR_RETURN(SecretBox box, ReadKeyFile(path, option));
  return std::optional<SecretBox>(std::move(box));
}

}  // namespace crm::cli
