// A small JSON reader for config.json and safetensors headers (the standalone GPU check
// links no JSON library). Whole-document parse into a tree; errors name the byte offset.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace fleetlab {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;                            // Array
  std::vector<std::pair<std::string, Json>> members;  // Object, in document order

  // Throws std::runtime_error("<what>: invalid JSON at byte N: ...").
  static Json parse(const std::string& text, const std::string& what);
  // Member `key` of an object, or nullptr (also when this is not an object, or the value is null).
  const Json* get(const std::string& key) const;
};

}  // namespace fleetlab
