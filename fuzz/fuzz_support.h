// Shared by the libFuzzer harnesses: the fuzz input as a file in a per-process scratch
// directory, and the repository's data directory.
#ifndef PERFTCO_FUZZ_FUZZ_SUPPORT_H_
#define PERFTCO_FUZZ_FUZZ_SUPPORT_H_

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace perftco::fuzz {

inline const std::string& DataDir() {
  static const std::string dir = PERFTCO_FUZZ_DATA_DIR;
  return dir;
}

// A directory of this process's own under the system temp directory, created on first use.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("perftco-fuzz-" + std::to_string(static_cast<long>(getpid())));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes the input to `name` (relative to ScratchDir() unless absolute) and returns its path.
inline std::string WriteInput(const uint8_t* data, size_t size, const std::filesystem::path& name) {
  const std::filesystem::path path = name.is_absolute() ? name : ScratchDir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  f.close();
  if (!f) std::abort();  // the scratch directory must be writable
  return path.string();
}

// The harness's own check failed: a parser accepted input and produced a non-finite number.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "perftco fuzz: %s\n", what);
  std::abort();
}

}  // namespace perftco::fuzz

#endif  // PERFTCO_FUZZ_FUZZ_SUPPORT_H_
