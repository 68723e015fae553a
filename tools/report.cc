#include "report.h"

#include <algorithm>
#include <cstdio>

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string Rect(double x, double y, double w, double h, const std::string& fill, const std::string& title) {
  return "<rect x=\"" + Format("%.1f", x) + "\" y=\"" + Format("%.1f", y) + "\" width=\"" + Format("%.1f", w) +
         "\" height=\"" + Format("%.1f", h) + "\" fill=\"" + fill + "\"><title>" + Escape(title) + "</title></rect>";
}

std::string Text(double x, double y, const std::string& text, const std::string& anchor = "start") {
  return "<text x=\"" + Format("%.1f", x) + "\" y=\"" + Format("%.1f", y) + "\" text-anchor=\"" + anchor + "\">" +
         Escape(text) + "</text>";
}

std::string Svg(const char* id, int width, int height, const std::string& body) {
  return "<svg class=\"chart\" id=\"" + std::string(id) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" xmlns=\"http://www.w3.org/2000/svg\">" + body + "</svg>";
}

// Rows gold, columns predicted; the shade is the share of the gold row.
std::string ConfusionChart(const json& metrics) {
  const json& labels = metrics["labels"];
  const json& confusion = metrics["confusion"];
  const int k = static_cast<int>(labels.size()), cell = 64, left = 90, top = 40;
  std::string body = Text(left + k * cell / 2.0, 14, "predicted", "middle");
  for (int c = 0; c < k; ++c) body += Text(left + c * cell + cell / 2.0, top - 8, labels[c], "middle");
  for (int r = 0; r < k; ++r) {
    long row_total = 0;
    for (const auto& v : confusion[r]) row_total += v.get<long>();
    body += Text(left - 8, top + r * cell + cell / 2.0 + 4, labels[r], "end");
    for (int c = 0; c < k; ++c) {
      const long n = confusion[r][c].get<long>();
      const double share = row_total ? double(n) / row_total : 0;
      const int shade = 255 - static_cast<int>(share * 200);
      const std::string fill = "rgb(" + std::to_string(shade) + "," + std::to_string(shade) + ",255)";
      body +=
          Rect(left + c * cell, top + r * cell, cell - 2, cell - 2, fill,
               labels[r].get<std::string>() + " predicted " + labels[c].get<std::string>() + ": " + std::to_string(n));
      body += Text(left + c * cell + cell / 2.0 - 1, top + r * cell + cell / 2.0 + 4, std::to_string(n), "middle");
    }
  }
  return Svg("confusion", left + k * cell + 10, top + k * cell + 10, body);
}

// Precision, recall and F1 of each class, bars out of 100%.
std::string ClassChart(const json& metrics) {
  const char* const measures[] = {"precision", "recall", "f1"};
  const char* const colors[] = {"#8fb3de", "#f0b27a", "#58a55c"};
  const int bar = 14, group = 3 * bar + 16, left = 90, width = 300;
  std::string body;
  int y = 24;
  for (const auto& [name, c] : metrics["per_class"].items()) {
    body += Text(left - 8, y + group / 2.0 - 4, name, "end");
    for (int m = 0; m < 3; ++m) {
      const double value = c[measures[m]].get<double>();
      body += Rect(left, y + m * bar, std::max(1.0, value * width), bar - 2, colors[m],
                   name + " " + measures[m] + " " + Format("%.1f%%", 100 * value));
      body += Text(left + value * width + 4, y + m * bar + bar - 4, Format("%.1f%%", 100 * value));
    }
    y += group;
  }
  for (int m = 0; m < 3; ++m)
    body += Rect(left + m * 100, 4, 10, 10, colors[m], measures[m]) + Text(left + m * 100 + 14, 13, measures[m]);
  return Svg("classes", left + width + 70, y + 4, body);
}

// Per entity: gold and predicted share of positive (green) and negative (red) tweets.
std::string EntityChart(const json& entities) {
  const int row = 30, left = 170, width = 240;
  std::string body = Text(left, 14, "positive share: gold / predicted") +
                     Text(left + width + 40, 14, "negative share: gold / predicted");
  int y = 24;
  for (const auto& e : entities) {
    const std::string name = e.contains("name") ? e["name"].get<std::string>() : e["entity"].get<std::string>();
    body += Text(left - 8, y + 16, name + " (" + std::to_string(e["n"].get<long>()) + ")", "end");
    const double shares[] = {e["gold_positive"].get<double>(), e["pred_positive"].get<double>(),
                             e["gold_negative"].get<double>(), e["pred_negative"].get<double>()};
    const char* const fills[] = {"#2e7d32", "#81c784", "#c62828", "#e57373"};
    const char* const what[] = {"gold positive", "predicted positive", "gold negative", "predicted negative"};
    for (int i = 0; i < 4; ++i) {
      const double x = left + (i < 2 ? 0 : width + 40);
      body += Rect(x, y + (i % 2) * 12, std::max(1.0, shares[i] * width), 11, fills[i],
                   name + " " + what[i] + " " + Format("%.1f%%", 100 * shares[i]));
    }
    y += row;
  }
  return Svg("entities", left + 2 * width + 80, y + 4, body);
}

}  // namespace

std::string EvalReportHtml(const json& results) {
  const json& m = results["metrics"];
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>flatbert eval report</title>
<style>body{font:14px sans-serif;margin:2em;color:#222}h2{margin-top:1.6em}svg text{font:12px sans-serif}
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right}</style></head><body>
<h1>flatbert eval report</h1>
)";
  html += "<p>Model <code>" + Escape(results["model"].get<std::string>()) + "</code> on <code>" +
          Escape(results["data"].get<std::string>()) + "</code> (lang " + Escape(results["lang"].get<std::string>()) +
          ").</p>\n<table><tr><th>tweets</th><th>accuracy</th><th>macro-F1</th><th>not classified</th></tr><tr><td>" +
          std::to_string(m["n"].get<long>()) + "</td><td>" + Format("%.2f%%", 100 * m["accuracy"].get<double>()) +
          "</td><td>" + Format("%.2f%%", 100 * m["macro_f1"].get<double>()) + "</td><td>" +
          std::to_string(results["unclassified_rows"].get<long>()) + "</td></tr></table>\n";
  if (m.contains("confusion")) html += "<h2>Confusion matrix</h2>\n" + ConfusionChart(m) + "\n";
  html += "<h2>Per class</h2>\n" + ClassChart(m) + "\n";
  html += "<h2>Per entity</h2>\n" + EntityChart(results["entities"]) + "\n";
  // Marks the page as drawn when every chart has laid out with a size (read by tests/report/report_test.sh).
  html += R"(<script>
const charts = [...document.querySelectorAll("svg.chart")];
document.body.dataset.chartsDrawn = charts.filter(c => c.getBBox().width > 0 && c.getBBox().height > 0).length;
</script>
</body></html>
)";
  return html;
}

}  // namespace flatbert::tools
