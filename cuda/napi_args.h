// NapiArgs: typed extraction of positional arguments. TypeScript validates everything first;
// these checks exist so a wrong call from JS raises a TypeError instead of reading garbage.
#pragma once
#include <cstdint>
#include <napi.h>
#include <string>
#include <vector>

namespace fleetlab {

struct ByteView {
  uint8_t* data;
  size_t length;
  Napi::Object owner;  // keep alive while native code uses `data`
};

class NapiArgs {
 public:
  static double number(const Napi::CallbackInfo& info, size_t i, const char* name);
  static int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max);
  static bool boolean(const Napi::CallbackInfo& info, size_t i, const char* name);
  static std::vector<std::string> strings(const Napi::CallbackInfo& info, size_t i, const char* name);
  static std::vector<uint64_t> offsets(const Napi::CallbackInfo& info, size_t i, const char* name);
  static std::vector<int32_t> int32s(const Napi::CallbackInfo& info, size_t i, const char* name);
  static ByteView bytes(const Napi::CallbackInfo& info, size_t i, const char* name);
};

}  // namespace fleetlab
