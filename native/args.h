// Argument checking for the bindings: every typed array is checked against the size its
// shape implies (TypeError naming the argument), every dimension against its range (RangeError).
#pragma once
#include <napi.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "kernels.h"

namespace rz {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), fn_(fn) {}

  [[noreturn]] void type_error(const std::string& msg) const {
    throw Napi::TypeError::New(info_.Env(), std::string(fn_) + ": " + msg);
  }
  [[noreturn]] void range_error(const std::string& msg) const {
    throw Napi::RangeError::New(info_.Env(), std::string(fn_) + ": " + msg);
  }

  double num(size_t i, const char* name) const {
    if (i >= info_.Length() || !info_[i].IsNumber()) type_error(std::string(name) + " must be a number");
    return info_[i].As<Napi::Number>().DoubleValue();
  }
  // A non-negative integer (dimensions, counts).
  int64_t dim(size_t i, const char* name) const {
    const double x = num(i, name);
    if (!(x >= 0) || x != std::floor(x) || x > 9.0e15)
      range_error(std::string(name) + " must be a non-negative integer, got " + std::to_string(x));
    return (int64_t)x;
  }
  // The product of sizes (an element count); RangeError if it overflows int64, which would
  // otherwise wrap (2^32 * 2^32 = 0) and let short arrays pass the length checks.
  int64_t count(std::initializer_list<int64_t> sizes) const {
    int64_t n = 1;
    for (int64_t x : sizes)
      if (__builtin_mul_overflow(n, x, &n)) range_error("the sizes' product overflows int64");
    return n;
  }
  bool flag(size_t i, const char* name) const {
    if (i >= info_.Length() || !info_[i].IsBoolean()) type_error(std::string(name) + " must be a boolean");
    return info_[i].As<Napi::Boolean>().Value();
  }
  bool present(size_t i) const { return i < info_.Length() && !info_[i].IsUndefined() && !info_[i].IsNull(); }

  // A Float32Array / Int32Array holding at least `need` elements.
  float* f32(size_t i, const char* name, int64_t need) const { return typed<float>(i, name, need, napi_float32_array, "Float32Array"); }
  int32_t* i32(size_t i, const char* name, int64_t need) const { return typed<int32_t>(i, name, need, napi_int32_array, "Int32Array"); }

  // An array of Float32Arrays, as (pointer, length) spans.
  std::vector<Span> list(size_t i, const char* name) const {
    if (i >= info_.Length() || !info_[i].IsArray()) type_error(std::string(name) + " must be an array of Float32Array");
    Napi::Array arr = info_[i].As<Napi::Array>();
    std::vector<Span> out;
    for (uint32_t j = 0; j < arr.Length(); j++) {
      Napi::Value v = arr.Get(j);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
        type_error(std::string(name) + "[" + std::to_string(j) + "] must be a Float32Array");
      Napi::Float32Array a = v.As<Napi::Float32Array>();
      out.push_back({a.Data(), (int64_t)a.ElementLength()});
    }
    return out;
  }

 private:
  template <typename T>
  T* typed(size_t i, const char* name, int64_t need, napi_typedarray_type type, const char* tname) const {
    if (i >= info_.Length() || !info_[i].IsTypedArray() || info_[i].As<Napi::TypedArray>().TypedArrayType() != type)
      type_error(std::string(name) + " must be a " + tname);
    Napi::TypedArrayOf<T> a = info_[i].As<Napi::TypedArrayOf<T>>();
    if ((int64_t)a.ElementLength() < need)
      type_error(std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, needs at least " +
                 std::to_string(need));
    return a.Data();
  }

  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace rz
