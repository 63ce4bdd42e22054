package dev.tmserverless.fn.users;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The banner's Markdown rendering and cleaning (what the reference's markdown + bleach produce). */
class BannerHtmlTest {
    @Test
    void paragraphsHeadingsAndStrongText() {
        assertThat(BannerHtml.render("Hello *world*")).isEqualTo("<p>Hello world</p>");
        assertThat(BannerHtml.render("a **b** __c__\n\nsecond")).isEqualTo("<p>a <strong>b</strong> <strong>c</strong></p>\n<p>second</p>");
        assertThat(BannerHtml.render("# Big\n\n#### Small")).isEqualTo("Big\n<h4>Small</h4>");
        assertThat(BannerHtml.render("snake_case_name and `code`")).isEqualTo("<p>snake_case_name and code</p>");
    }

    @Test
    void onlyTheAllowedTagsAndSafeLinksRemain() {
        assertThat(BannerHtml.render("<b onclick=\"x()\">bold</b> <img src=x onerror=alert(1)> <i>it</i>"))
                .isEqualTo("<p><b>bold</b>  <i>it</i></p>");
        assertThat(BannerHtml.render("<script>alert(1)</script>")).isEqualTo("<p>alert(1)</p>");
        assertThat(BannerHtml.render("[x](javascript:void)")).isEqualTo("<p><a rel=\"nofollow\">x</a></p>");
        assertThat(BannerHtml.render("[x](javascript:alert(1))")).doesNotContain("href");
        assertThat(BannerHtml.render("<a href='javascript:x()'>y</a>")).isEqualTo("<p><a rel=\"nofollow\">y</a></p>");
        assertThat(BannerHtml.render("<a href=\"https://ok.test/?a=1&b=2\">ok</a>"))
                .isEqualTo("<p><a href=\"https://ok.test/?a=1&amp;b=2\" rel=\"nofollow\">ok</a></p>");
        assertThat(BannerHtml.render("1 < 2 & 3 > 2")).isEqualTo("<p>1 &lt; 2 &amp; 3 &gt; 2</p>");
    }

    @Test
    void bareUrlsBecomeNofollowLinks() {
        assertThat(BannerHtml.render("See https://hot.test/x. Or www.osm.test"))
                .isEqualTo("<p>See <a href=\"https://hot.test/x\" rel=\"nofollow\">https://hot.test/x</a>. Or "
                        + "<a href=\"http://www.osm.test\" rel=\"nofollow\">www.osm.test</a></p>");
        assertThat(BannerHtml.render("<https://auto.test>"))
                .isEqualTo("<p><a href=\"https://auto.test\" rel=\"nofollow\">https://auto.test</a></p>");
    }
}
