#include "napi_args.h"

#include <cmath>

namespace fleetlab {

static Napi::TypeError bad(const Napi::CallbackInfo& info, size_t i, const char* name, const char* want) {
  return Napi::TypeError::New(info.Env(), std::string("argument ") + std::to_string(i) + " (" + name +
                                              ") must be " + want);
}

double NapiArgs::number(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) throw bad(info, i, name, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t NapiArgs::integer(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max) {
  double v = number(info, i, name);
  if (!std::isfinite(v) || std::floor(v) != v || v < static_cast<double>(min) || v > static_cast<double>(max)) {
    throw Napi::RangeError::New(info.Env(), std::string("argument ") + name + " must be an integer in [" +
                                                std::to_string(min) + ", " + std::to_string(max) + "], got " +
                                                std::to_string(v));
  }
  return static_cast<int64_t>(v);
}

bool NapiArgs::boolean(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw bad(info, i, name, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::vector<std::string> NapiArgs::strings(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) throw bad(info, i, name, "an array of strings");
  auto arr = info[i].As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    if (!v.IsString()) throw bad(info, i, name, "an array of strings");
    out.push_back(v.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<uint64_t> NapiArgs::offsets(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw bad(info, i, name, "a Float64Array");
  }
  auto arr = info[i].As<Napi::Float64Array>();
  std::vector<uint64_t> out;
  for (size_t k = 0; k < arr.ElementLength(); ++k) {
    double v = arr[k];
    // 2^53: beyond it doubles stop representing every integer byte offset.
    if (!std::isfinite(v) || v < 0 || std::floor(v) != v || v > 9007199254740991.0) {
      throw Napi::RangeError::New(info.Env(), std::string(name) + " holds a value that is not a safe non-negative integer");
    }
    out.push_back(static_cast<uint64_t>(v));
  }
  return out;
}

std::vector<int32_t> NapiArgs::int32s(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw bad(info, i, name, "an Int32Array");
  }
  auto arr = info[i].As<Napi::Int32Array>();
  return std::vector<int32_t>(arr.Data(), arr.Data() + arr.ElementLength());
}

ByteView NapiArgs::bytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw bad(info, i, name, "a Uint8Array or Buffer");
  }
  auto arr = info[i].As<Napi::Uint8Array>();
  return ByteView{arr.Data(), arr.ByteLength(), arr};
}

}  // namespace fleetlab
