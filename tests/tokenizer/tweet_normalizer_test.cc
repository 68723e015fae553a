#include "tokenizer/tweet_normalizer.h"

#include <gtest/gtest.h>

#include "flatbert/error.hpp"

namespace flatbert {
namespace {

std::string N(const std::string& text) { return NormalizeTweet(text, NormalizerOptions{}); }

TEST(TweetNormalizerTest, ReplacesMentionsAndUrls) {
  EXPECT_EQ(N("RT @alexandrabrad: The 2013 #S5 http://t.co/YYgaxRV3 rocks"), "RT @user: The 2013 #S5 http rocks");
  EXPECT_EQ(N("see HTTPS://Example.com/x?y=1, www.bmw.com and mail@bmw"), "see http http and mail@user");
  EXPECT_EQ(N("awww.nice"), "awww.nice");  // www. inside a word is not a URL
  EXPECT_EQ(N("@ alone, @_x"), "@ alone, @user");
}

TEST(TweetNormalizerTest, DecodesHtmlEntities) {
  EXPECT_EQ(N("A &amp; B &lt;3 &gt; &quot;q&quot; &apos;s"), "A & B <3 > \"q\" 's");
  EXPECT_EQ(N("&#39;x&#x263A;&#0; &bogus; &AMP; &amp"), "'x\u263A&#0; &bogus; &AMP; &amp");
}

TEST(TweetNormalizerTest, CollapsesWhitespaceAndKeepsEmoji) {
  EXPECT_EQ(N("  I \t love\u00a0\u00a0my 🚗  😍 "), "I love my 🚗 😍");
  EXPECT_EQ(N("&nbsp;x"), "x");
  EXPECT_EQ(N(""), "");
}

TEST(TweetNormalizerTest, OptionsTurnRulesOff) {
  NormalizerOptions none{false, false, false, false};
  EXPECT_EQ(NormalizeTweet(" @bmw &amp; http://x  y", none), " @bmw &amp; http://x  y");
}

TEST(TweetNormalizerTest, InvalidUtf8IsAnError) { EXPECT_THROW(N("bad \xc3"), Error); }

}  // namespace
}  // namespace flatbert
