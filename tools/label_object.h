#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flatbert::tools {

// {label: value_of(index)} for a model's labels, which are distinct (the model file's check), appended in one
// pass: ordered_json's operator[] compares each new key with every earlier one, and a 65,536-label model's
// probabilities took 3.4 s a prediction to print.
template <typename ValueOf>
nlohmann::ordered_json LabelObject(const std::vector<std::string>& labels, const ValueOf& value_of) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  nlohmann::ordered_json::object_t::Container& members = object.get_ref<nlohmann::ordered_json::object_t&>();
  members.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) members.emplace_back(labels[i], value_of(i));
  return object;
}

}  // namespace flatbert::tools
