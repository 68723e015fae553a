// tools/metrics: the definitions of python/flatbert_py/metrics.py, on counts worked out by hand.
#include "tools/metrics.h"

#include <gtest/gtest.h>

namespace flatbert::tools {
namespace {

TEST(MetricsTest, PerClassAndMacroScoresFromTheConfusionMatrix) {
  // confusion (rows gold): a [1 1 0], b [0 2 0], c [1 0 1]
  const auto m = Evaluate({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, {"a", "b", "c"});
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
  const auto m = Evaluate({0, 0}, {0, 0}, {"a", "b"});
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(m["per_class"]["b"]["f1"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(m["macro_f1"].get<double>(), 0.5);
  const auto empty = Evaluate({}, {}, {"a"});
  EXPECT_EQ(empty["n"], 0);
  EXPECT_DOUBLE_EQ(empty["accuracy"].get<double>(), 0.0);
}

}  // namespace
}  // namespace flatbert::tools
