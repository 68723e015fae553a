// tools/metrics: the definitions of python/flatbert_py/metrics.py, on counts worked out by hand.
#include "tools/metrics.h"

#include <gtest/gtest.h>

#include "flatbert/limits.hpp"

namespace flatbert::tools {
namespace {

nlohmann::ordered_json EvaluatePairs(const std::vector<int>& gold, const std::vector<int>& predicted,
                                     const std::vector<std::string>& labels) {
  LabelCounts counts(labels.size());
  for (size_t i = 0; i < gold.size(); ++i) counts.Add(gold[i], predicted[i]);
  return Evaluate(counts, labels);
}

TEST(MetricsTest, PerClassAndMacroScoresFromTheConfusionMatrix) {
  // confusion (rows gold): a [1 1 0], b [0 2 0], c [1 0 1]
  const auto m = EvaluatePairs({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, {"a", "b", "c"});
  EXPECT_EQ(m["n"], 6);
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 4.0 / 6);
  EXPECT_EQ(m["confusion"].get<std::vector<std::vector<long>>>(),
            (std::vector<std::vector<long>>{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}));
  EXPECT_DOUBLE_EQ(m["per_class"]["a"]["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["per_class"]["b"]["precision"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m["per_class"]["b"]["recall"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(m["per_class"]["b"]["f1"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(m["per_class"]["c"]["f1"].get<double>(), 2.0 / 3);
  EXPECT_EQ(m["per_class"]["c"]["support"], 2);
  EXPECT_NEAR(m["macro_f1"].get<double>(), (0.5 + 0.8 + 2.0 / 3) / 3, 1e-15);
  const std::string table = MetricsTable(m);
  EXPECT_NE(table.find("n=6  accuracy=66.67%  macro-F1=65.56%"), std::string::npos) << table;
  EXPECT_NE(table.find("b             66.67% 100.00%  80.00%        2"), std::string::npos) << table;
}

TEST(MetricsTest, AClassNeverPredictedOrNeverPresentScoresZero) {
  const auto m = EvaluatePairs({0, 0}, {0, 0}, {"a", "b"});
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(m["per_class"]["b"]["f1"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(m["macro_f1"].get<double>(), 0.5);
  const auto empty = EvaluatePairs({}, {}, {"a"});
  EXPECT_EQ(empty["n"], 0);
  EXPECT_DOUBLE_EQ(empty["accuracy"].get<double>(), 0.0);
}

// Past kMaxConfusionLabels labels the matrix would be the memory (4G cells for 65,536): the per-class scores come
// from per-label counts, and the matrix is left out of the metrics and the table.
TEST(MetricsTest, ManyLabelsScoreWithoutTheConfusionMatrix) {
  const size_t k = kMaxConfusionLabels + 1;
  std::vector<std::string> labels;
  for (size_t i = 0; i < k; ++i) labels.push_back("l" + std::to_string(i));
  LabelCounts counts(k);
  EXPECT_TRUE(counts.confusion().empty());
  counts.Add(0, 0);
  counts.Add(0, 256);
  counts.Add(256, 256);
  const auto m = Evaluate(counts, labels);
  EXPECT_FALSE(m.contains("confusion"));
  EXPECT_EQ(m["n"], 3);
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m["per_class"]["l0"]["recall"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["per_class"]["l256"]["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["macro_f1"].get<double>(), (2.0 / 3 + 2.0 / 3) / k);
  ASSERT_EQ(m["per_class"].size(), k);
  EXPECT_EQ(m["per_class"].items().begin().key(), "l0");
  const std::string table = MetricsTable(m);
  EXPECT_NE(table.find("confusion: not shown for more than 256 labels\n"), std::string::npos);
  EXPECT_EQ(table.find("rows gold"), std::string::npos);
}

// A label of kMaxLabelBytes keeps its line whole.
TEST(MetricsTest, ALongestLabelKeepsItsRowOfTheTable) {
  const std::string longest(kMaxLabelBytes, 'x');
  const std::string table = MetricsTable(EvaluatePairs({0}, {0}, {longest}));
  EXPECT_NE(table.find(longest + "   100.00% 100.00% 100.00%        1\n"), std::string::npos) << table;
}

// RepLab's view per entity: shares of positive and negative tweets, gold and predicted, with names where known.
TEST(EntityCountsTest, SharesPerEntityAndTheirNames) {
  EntityCounts counts({"negative", "neutral", "positive"});
  counts.Add("E1", 2, 2);
  counts.Add("E1", 0, 2);
  counts.Add("E0", 1, 0);
  const auto summary = counts.Summary({{"E1", "BMW"}});
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].dump(), R"({"entity":"E0","n":1,"accuracy":0.0,"gold_positive":0.0,"pred_positive":0.0,)"
                               R"("gold_negative":0.0,"pred_negative":1.0})");
  EXPECT_EQ(summary[1]["name"], "BMW");
  EXPECT_DOUBLE_EQ(summary[1]["accuracy"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(summary[1]["gold_positive"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(summary[1]["pred_positive"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(summary[1]["gold_negative"].get<double>(), 0.5);
}

// A file of distinct entity ids holds at most kMaxEntities counts; the rows of further entities are only counted.
TEST(EntityCountsTest, StopsAtItsLimitOfEntities) {
  EntityCounts counts({"negative", "positive"});
  for (size_t i = 0; i <= kMaxEntities; ++i) counts.Add("E" + std::to_string(i), 0, 0);
  counts.Add("E0", 1, 1);  // an entity it has goes on counting
  EXPECT_EQ(counts.rows_past_limit(), 1u);
  EXPECT_FALSE(counts.Has("E" + std::to_string(kMaxEntities)));
  const auto summary = counts.Summary({});
  ASSERT_EQ(summary.size(), kMaxEntities);
  EXPECT_EQ(summary[0]["entity"], "E0");
  EXPECT_EQ(summary[0]["n"], 2);
}

}  // namespace
}  // namespace flatbert::tools
