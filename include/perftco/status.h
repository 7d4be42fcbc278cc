// Status and Result<T>: how every fallible perftco call reports an expected failure.
//
// An expected failure (bad file, unknown name, a model that does not fit) is a value with a
// message a user can act on; broken invariants are assertions instead. Front ends turn an error
// into one line on stderr and a non-zero exit (CLI) or a ValueError (Python).
#ifndef PERFTCO_STATUS_H_
#define PERFTCO_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace perftco {

// The outcome of a call that returns nothing: ok, or an error message.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

// A value of type T, or an error Status. Access the value only after checking ok().
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Status error) : data_(std::move(error)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace perftco

// Returns early from the enclosing function with the error of `expr` (a Status) if it failed.
#define PERFTCO_RETURN_IF_ERROR(expr) \
  do {                                \
    ::perftco::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define PERFTCO_CONCAT_INNER(a, b) a##b
#define PERFTCO_CONCAT(a, b) PERFTCO_CONCAT_INNER(a, b)
#define PERFTCO_ASSIGN_OR_RETURN_IMPL(res, lhs, rexpr) \
  auto res = (rexpr);                                  \
  if (!res.ok()) return res.status();                  \
  lhs = std::move(res).value()
// Declares `lhs` from the value of the Result `rexpr`, or returns its error.
#define PERFTCO_ASSIGN_OR_RETURN(lhs, rexpr) \
  PERFTCO_ASSIGN_OR_RETURN_IMPL(PERFTCO_CONCAT(_perftco_res_, __COUNTER__), lhs, rexpr)

#endif  // PERFTCO_STATUS_H_
