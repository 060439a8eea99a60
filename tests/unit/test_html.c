/*
 * test_html.c - the sanitizer against hostile and real-world markup, the
 * text renderer, text to HTML, and the bounds (nesting bombs, huge input).
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "html.h"
#include "html_priv.h"
#include "tap.h"

#define REL " rel=\"noopener noreferrer nofollow\""

/*
 * SCALE - how many times smaller the bombs and the huge input are in the
 * sanitizer build.  Under ASan every allocation costs ten times as much
 * and the times prove nothing, so the plain build proves the time bounds
 * at full size, and the ASan build proves memory safety on the same
 * shapes, still far past every limit (10000 levels against a nesting cap
 * of 256; half a megabyte of ordinary HTML).
 */
#if defined(__SANITIZE_ADDRESS__)
#define SCALE 10
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCALE 10
#endif
#endif
#ifndef SCALE
#define SCALE 1
#endif

struct pair {
	const char *name;
	const char *in;
	const char *want;
};

static const struct pair sanitize_cases[] = {
	/* Elements that go with their content. */
	{ .name = "script", .in = "a<script>alert(1)</script>b",
	    .want = "ab" },
	{ .name = "script with fake end in a string",
	    .in = "<script>x='</scr'+'ipt>'</script>ok", .want = "ok" },
	{ .name = "style", .in = "<style>p{color:red}</style><p>x</p>",
	    .want = "<p>x</p>" },
	{ .name = "iframe", .in = "<iframe src=\"http://e/\">in</iframe>ok",
	    .want = "ok" },
	{ .name = "object, param, embed",
	    .in = "<object data=x><param name=a value=b>fb</object>"
	    "<embed src=y>ok", .want = "ok" },
	{ .name = "form controls go, labels stay",
	    .in = "<form action=\"http://e/\"><fieldset><legend>L</legend>"
	    "<label>Name</label><input name=n value=v><select><option>o"
	    "</select><textarea>t</textarea><button>Go</button></fieldset>"
	    "</form>", .want = "LName" },
	{ .name = "base, meta, link in head",
	    .in = "<head><base href=\"http://evil/\"><meta http-equiv="
	    "refresh content=\"0;url=http://evil/\"><link rel=stylesheet "
	    "href=x><title>T</title></head><body>ok</body>", .want = "ok" },
	{ .name = "meta in body", .in = "a<meta charset=x>b", .want = "ab" },
	{ .name = "svg with script", .in = "<svg><script>alert(1)</script>"
	    "<a xlink:href=\"javascript:x\"><text>t</text></a></svg>ok",
	    .want = "ok" },
	{ .name = "math", .in = "<math><mi>x</mi></math>ok", .want = "ok" },
	{ .name = "template", .in = "<template><p>t</p></template>ok",
	    .want = "ok" },
	{ .name = "noscript", .in = "<noscript><p>n</p></noscript>ok",
	    .want = "ok" },
	{ .name = "audio, video, canvas",
	    .in = "<video src=x><source src=y>v</video><audio>a</audio>"
	    "<canvas>c</canvas>ok", .want = "ok" },
	{ .name = "frameset", .in = "<frameset><frame src=x></frameset>",
	    .want = "" },
	{ .name = "plaintext swallows the rest",
	    .in = "ok<plaintext><b>x</b>", .want = "ok" },
	{ .name = "display:none preheader",
	    .in = "<div style=\"display: none !important\">pre</div>"
	    "<span hidden>h</span>body", .want = "body" },

	/* Attributes. */
	{ .name = "event handlers",
	    .in = "<p onclick=\"x()\" ONMOUSEOVER=y>p</p>"
	    "<img src=x onerror=alert(1)>", .want = "<p>p</p>"
	    "<span>[image]</span>" },
	{ .name = "style, class, id",
	    .in = "<p style=\"color:red\" class=intro id=x align=center>"
	    "p</p>", .want = "<p align=\"center\">p</p>" },
	{ .name = "font keeps color only",
	    .in = "<font color=red face=Arial size=3>f</font>",
	    .want = "<font color=\"red\">f</font>" },
	{ .name = "table attributes",
	    .in = "<table border=1 cellpadding=2 cellspacing=0 width=100% "
	    "bgcolor=red background=x.gif><tr><td colspan=2 valign=top "
	    "nowrap>c</td></tr></table>",
	    .want = "<table border=\"1\" cellpadding=\"2\" cellspacing=\"0\">"
	    "<tbody><tr><td colspan=\"2\" valign=\"top\">c</td></tr></tbody>"
	    "</table>" },
	{ .name = "ol start and type",
	    .in = "<ol start=3 type=a reversed><li>x</ol>",
	    .want = "<ol start=\"3\" type=\"a\"><li>x</li></ol>" },
	{ .name = "global title, dir, lang",
	    .in = "<span title=t dir=rtl lang=he data-x=1>s</span>",
	    .want = "<span title=\"t\" dir=\"rtl\" lang=\"he\">s</span>" },
	{ .name = "attribute escaping",
	    .in = "<p title='a \"b\" <c> & d'>x</p>",
	    .want = "<p title=\"a &quot;b&quot; &lt;c&gt; &amp; d\">x</p>" },
	{ .name = "unquoted value with quote",
	    .in = "<p title=a\"b>x</p>", .want = "<p title=\"a&quot;b\">x</p>" },
	{ .name = "attribute breakout attempt",
	    .in = "<p title=\"\"><script>alert(1)</script>\">x</p>",
	    .want = "<p title=\"\">\"&gt;x</p>" },
	{ .name = "first duplicate attribute wins",
	    .in = "<a href=\"http://a/\" href=\"javascript:x\">l</a>",
	    .want = "<a href=\"http://a/\"" REL ">l</a>" },
	{ .name = "blockquote cite dropped",
	    .in = "<blockquote cite=\"javascript:x\">q</blockquote>",
	    .want = "<blockquote>q</blockquote>" },

	/* Link schemes. */
	{ .name = "javascript:", .in = "<a href=\"javascript:alert(1)\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "JaVaScRiPt:", .in = "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "leading space", .in = "<a href=\" javascript:x\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "tab inside", .in = "<a href=\"java\tscript:x\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "newline entity inside",
	    .in = "<a href=\"java&#x0A;script:x\">x</a>", .want = "<a>x</a>" },
	{ .name = "entity-encoded scheme",
	    .in = "<a href=\"&#106;avascript:x\">x</a>", .want = "<a>x</a>" },
	{ .name = "control character first",
	    .in = "<a href=\"\x01javascript:x\">x</a>", .want = "<a>x</a>" },
	{ .name = "data:", .in = "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">"
	    "x</a>", .want = "<a>x</a>" },
	{ .name = "vbscript:", .in = "<a href=\"vbscript:msgbox\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "file:", .in = "<a href=\"file:///etc/passwd\">x</a>",
	    .want = "<a>x</a>" },
	{ .name = "relative and anchor",
	    .in = "<a href=\"/x\">r</a><a href=\"#top\">t</a>",
	    .want = "<a>r</a><a>t</a>" },
	{ .name = "https kept, upper case scheme",
	    .in = "<a href=\" HTTPS://e.com/?a=1&amp;b=2 \" target=_blank>y</a>",
	    .want = "<a href=\"HTTPS://e.com/?a=1&amp;b=2\"" REL ">y</a>" },
	{ .name = "tab and newline inside an https URL removed, as browsers do",
	    .in = "<a href=\"ht\ttps://e.com/a\nb\">y</a>",
	    .want = "<a href=\"https://e.com/ab\"" REL ">y</a>" },
	{ .name = "scheme: http: bare, HtTp, MAILTO kept",
	    .in = "<a href=\"http:x\">1</a><a href=\"HtTp://e\">2</a>"
	    "<a href=\"MAILTO:a@b\">3</a>",
	    .want = "<a href=\"http:x\"" REL ">1</a><a href=\"HtTp://e\"" REL
	    ">2</a><a href=\"MAILTO:a@b\"" REL ">3</a>" },
	{ .name = "scheme: near misses refused",
	    .in = "<a href=\"httpx:y\">1</a><a href=\"http\">2</a>"
	    "<a href=\"https\">3</a><a href=\"mailt:o\">4</a>"
	    "<a href=\"h:x\">5</a><a href=\"m\">6</a><a href=\"\">7</a>",
	    .want = "<a>1</a><a>2</a><a>3</a><a>4</a><a>5</a><a>6</a>"
	    "<a>7</a>" },
	{ .name = "scheme: newline inside mailto removed",
	    .in = "<a href=\"mai\nlto:a@b\">m</a>",
	    .want = "<a href=\"mailto:a@b\"" REL ">m</a>" },
	{ .name = "mailto kept",
	    .in = "<a href=\"mailto:a@b.c?subject=x\">m</a>",
	    .want = "<a href=\"mailto:a@b.c?subject=x\"" REL ">m</a>" },
	{ .name = "nested links are split",
	    .in = "<a href=\"http://a/\">1<a href=\"http://b/\">2</a>3</a>",
	    .want = "<a href=\"http://a/\"" REL ">1</a><a href=\"http://b/\""
	    REL ">2</a>3" },

	/* Images. */
	{ .name = "img with alt", .in = "<img src=\"http://t/x.gif\" alt=\"Logo\">",
	    .want = "<span>[image: Logo]</span>" },
	{ .name = "img alt escaped and folded",
	    .in = "<img src=x alt=\"  a <b>\n &amp; c \">",
	    .want = "<span>[image: a &lt;b&gt; &amp; c]</span>" },
	{ .name = "img without alt", .in = "<img src=x>",
	    .want = "<span>[image]</span>" },
	{ .name = "decorative img", .in = "a<img src=x alt=\"\">b",
	    .want = "ab" },
	{ .name = "pasted picture (Thunderbird: cid, alt empty)",
	    .in = "a<img src=\"cid:part1.8C5E6A81@x\" alt=\"\">b",
	    .want = "a<span>[image]</span>b" },
	{ .name = "Outlook paragraph is a div",
	    .in = "<p class=MsoNormal>a<o:p></o:p></p><p class=x>b</p>",
	    .want = "<div>a</div><p>b</p>" },
	{ .name = "cid spacer", .in = "a<img src=\"cid:s\" width=1 alt=\"\">b",
	    .want = "ab" },
	{ .name = "tracking pixel", .in = "a<img src=x width=1 height=1 alt=t>b",
	    .want = "ab" },
	{ .name = "img in a link",
	    .in = "<a href=\"https://e/\"><img src=x alt=Go></a>",
	    .want = "<a href=\"https://e/\"" REL "><span>[image: Go]</span></a>" },

	/* Comments and friends. */
	{ .name = "comment", .in = "a<!-- secret <b> -->b", .want = "ab" },
	{ .name = "empty comments", .in = "a<!-->b<!--->c", .want = "abc" },
	{ .name = "doctype and pi",
	    .in = "<!DOCTYPE html><?xml version=\"1.0\"?>x", .want = "x" },
	{ .name = "cdata", .in = "a<![CDATA[<b>]]>b", .want = "a]]&gt;b" },
	{ .name = "unclosed comment", .in = "a<!-- b", .want = "a" },

	/* Real mailers. */
	{ .name = "Outlook",
	    .in = "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
	    "<head><meta http-equiv=Content-Type content=\"text/html\">"
	    "<style><!-- p.MsoNormal {margin:0cm} --></style>"
	    "<!--[if gte mso 9]><xml><o:shapedefaults v:ext=\"edit\"/>"
	    "</xml><![endif]--></head><body lang=EN-US link=\"#0563C1\">"
	    "<div class=WordSection1><p class=MsoNormal>Hello Team,<o:p>"
	    "</o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
	    "<p class=MsoNormal><b><span style='color:#1F497D'>Ticket</span>"
	    "</b> is urgent.<o:p></o:p></p></div></body></html>",
	    .want = "<div><div>Hello Team,</div><div>&nbsp;</div><div><b>"
	    "<span>Ticket</span></b> is urgent.</div></div>" },
	{ .name = "Outlook conditional comments",
	    .in = "<!--[if mso]><table><tr><td><![endif]-->x<!--[if mso]>"
	    "</td></tr></table><![endif]--><!--[if !mso]><!-->y<!--<![endif]-->",
	    .want = "xy" },
	{ .name = "Gmail",
	    .in = "<div dir=\"ltr\">Thanks, fixed.<div><br></div><div>-- Ann"
	    "</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
	    "class=\"gmail_attr\">On Mon, Bob &lt;<a href=\"mailto:bob@e.com\">"
	    "bob@e.com</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\""
	    " style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid "
	    "rgb(204,204,204);padding-left:1ex\"><div dir=\"ltr\">Printer "
	    "broken.</div></blockquote></div>",
	    .want = "<div dir=\"ltr\">Thanks, fixed.<div><br></div><div>-- Ann"
	    "</div></div><br><div><div dir=\"ltr\">On Mon, Bob &lt;<a href="
	    "\"mailto:bob@e.com\"" REL ">bob@e.com</a>&gt; wrote:<br></div>"
	    "<blockquote><div dir=\"ltr\">Printer broken.</div></blockquote>"
	    "</div>" },
	{ .name = "Apple Mail",
	    .in = "<html><head><meta http-equiv=\"content-type\" content="
	    "\"text/html; charset=utf-8\"></head><body style=\"word-wrap: "
	    "break-word;\" class=\"\">Hi,<div class=\"\"><br class=\"\"></div>"
	    "<div class=\"\">See attached.</div><blockquote type=\"cite\" "
	    "class=\"\"><div class=\"\">On 3 Jun, Bob wrote:</div><br class="
	    "\"Apple-interchange-newline\"><div class=\"\">Old</div>"
	    "</blockquote></body></html>",
	    .want = "Hi,<div><br></div><div>See attached.</div><blockquote>"
	    "<div>On 3 Jun, Bob wrote:</div><br><div>Old</div></blockquote>" },
	{ .name = "sections become div",
	    .in = "<section><header>h</header><article>a</article></section>",
	    .want = "<div><div>h</div><div>a</div></div>" },
	{ .name = "unknown elements unwrapped",
	    .in = "<x-custom onclick=1>k<m2n-b>e</m2n-b>pt</x-custom>",
	    .want = "kept" },

	/* Text and broken markup. */
	{ .name = "entities",
	    .in = "&lt;&amp;&gt;&copy;&nbsp;&#x1F600;&bogus; &amp",
	    .want = "&lt;&amp;&gt;\xc2\xa9&nbsp;\xf0\x9f\x98\x80&amp;bogus; "
	    "&amp;" },
	{ .name = "bare < and >", .in = "a < b > c <3 </ d",
	    .want = "a &lt; b &gt; c &lt;3" },
	{ .name = "unclosed tags closed",
	    .in = "<div><p>un<b>bold<i>both</div>after",
	    .want = "<div><p>un<b>bold<i>both</i></b></p></div>after" },
	{ .name = "misnested formatting",
	    .in = "<b>1<i>2</b>3</i>", .want = "<b>1<i>2</i></b>3" },
	{ .name = "implied table parts",
	    .in = "<table><tr><td>a<td>b<tr><td>c</table>",
	    .want = "<table><tbody><tr><td>a</td><td>b</td></tr><tr><td>c"
	    "</td></tr></tbody></table>" },
	{ .name = "table cell outside table", .in = "<td>x</td>",
	    .want = "x" },
	{ .name = "list items close each other",
	    .in = "<ul><li>a<li>b</ul>", .want = "<ul><li>a</li><li>b</li>"
	    "</ul>" },
	{ .name = "tag cut by end of input", .in = "ok<b title=\"x",
	    .want = "ok" },
	{ .name = "pre leading newline survives",
	    .in = "<pre>\n\nx</pre>", .want = "<pre>\n\nx</pre>" },
	{ .name = "numeric reference overflow",
	    .in = "&#21111111111;|&#x100000041;|<p title=\"&#x100000041;\">t",
	    .want = "\xef\xbf\xbd|\xef\xbf\xbd|<p title=\"\xef\xbf\xbd\">t</p>" },
	{ .name = "numeric references in range",
	    .in = "&#65;&#x42;&#x80;&#xD800;&#x110000;&#",
	    .want = "AB\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd&amp;#" },
	{ .name = "control characters dropped",
	    .in = "a\x01\x1b[31mb\x7f", .want = "a[31mb" },
	{ .name = "white space only", .in = " \n\t ", .want = "" },
};

static const struct pair text_cases[] = {
	{ .name = "paragraphs", .in = "<p>one</p><p>two</p>",
	    .want = "one\n\ntwo" },
	{ .name = "br", .in = "a<br>b<br><br><br>c", .want = "a\nb\n\nc" },
	{ .name = "Gmail blank div", .in = "<div>a</div><div><br></div>"
	    "<div>b</div>", .want = "a\n\nb" },
	{ .name = "nbsp paragraphs", .in = "<p>&nbsp;</p><p>x</p><p>&nbsp;</p>",
	    .want = "x" },
	{ .name = "white space folded", .in = "  lots   of\n space  ",
	    .want = "lots of space" },
	{ .name = "nbsp kept as spaces", .in = "a&nbsp;&nbsp; b",
	    .want = "a   b" },
	{ .name = "inline elements", .in = "a <b>bold</b>, <i> it </i>!",
	    .want = "a bold, it !" },
	{ .name = "headings", .in = "<h1>Title</h1>text<h2>Sub</h2>more",
	    .want = "Title\n\ntext\n\nSub\n\nmore" },
	{ .name = "hr", .in = "a<hr>b", .want = "a\n---\nb" },
	{ .name = "unordered and nested list",
	    .in = "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
	    .want = "- a\n  - b\n- c" },
	{ .name = "ordered list", .in = "x<ol><li>one<li>two</ol>y",
	    .want = "x\n1. one\n2. two\ny" },
	{ .name = "ordered list start and value",
	    .in = "<ol start=3><li>x<li value=10>y<li>z</ol>",
	    .want = "3. x\n10. y\n11. z" },
	{ .name = "list item with paragraphs",
	    .in = "<ul><li><p>a</p></li><li><p>b</p></li></ul>",
	    .want = "- a\n\n- b" },
	{ .name = "links",
	    .in = "<a href=\"http://x.com/\">http://x.com</a>, "
	    "<a href=\"http://x.com/a\">click</a>, <a href=\"#\">anchor</a>, "
	    "<a href=\"javascript:x\">js</a>",
	    .want = "http://x.com, click <http://x.com/a>, anchor, js" },
	{ .name = "mailto links",
	    .in = "<a href=\"mailto:bob@x.com\">bob@x.com</a> or "
	    "<a href=\"mailto:bob@x.com\">Bob</a>",
	    .want = "bob@x.com or Bob <bob@x.com>" },
	{ .name = "image link",
	    .in = "<a href=\"https://e/\"><img src=x></a>",
	    .want = "<https://e/>" },
	{ .name = "images", .in = "x<img src=a alt=\"a pic\">y<img src=b>z",
	    .want = "x[image: a pic]yz" },
	{ .name = "Outlook paragraphs are lines",
	    .in = "<p class=MsoNormal>Regards,<o:p></o:p></p>"
	    "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
	    "<p class=MsoNormal><b>Jane Doe</b></p>"
	    "<p class=\"x MsoListParagraph\">1. one</p>"
	    "<p>next</p><p class=\"notMso\">last</p>",
	    .want = "Regards,\n\nJane Doe\n1. one\n\nnext\n\nlast" },
	{ .name = "pre keeps white space",
	    .in = "<pre>  a\n\tb  \n\n\n c</pre>after",
	    .want = "  a\n\tb\n\n c\n\nafter" },
	{ .name = "blockquote",
	    .in = "On X wrote:<blockquote>q1<br>q2</blockquote>after",
	    .want = "On X wrote:\n> q1\n> q2\nafter" },
	{ .name = "blockquote paragraphs",
	    .in = "<blockquote><p>a</p><p>b</p></blockquote>c",
	    .want = "> a\n>\n> b\n\nc" },
	{ .name = "nested blockquote",
	    .in = "<blockquote>a<blockquote>b</blockquote>c</blockquote>",
	    .want = "> a\n> > b\n> c" },
	{ .name = "table",
	    .in = "<table><tr><th>H1</th><th>H2</th></tr><tr><td>a</td><td>"
	    "</td><td>c</td></tr></table>",
	    .want = "H1 | H2\na | c" },
	{ .name = "layout table",
	    .in = "<table><tr><td><p>Para 1</p></td></tr><tr><td><table><tr>"
	    "<td>in1</td><td>in2</td></tr></table></td><td>out</td></tr>"
	    "</table>", .want = "Para 1\n\nin1 | in2\nout" },
	{ .name = "dropped content",
	    .in = "<title>T</title><style>x</style><script>y</script>"
	    "<div style=\"display:none\">pre</div>body",
	    .want = "body" },
	{ .name = "invisible characters",
	    .in = "a&#8203;b&shy;c&zwnj;d\x01", .want = "abcd" },
	{ .name = "entities", .in = "&lt;tag&gt; &amp; &quot;q&quot;",
	    .want = "<tag> & \"q\"" },
	{ .name = "Outlook",
	    .in = "<p class=MsoNormal>Hello Team,<o:p></o:p></p>"
	    "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>"
	    "<b>Ticket</b> is urgent.<o:p></o:p></p>",
	    .want = "Hello Team,\n\nTicket is urgent." },
	{ .name = "Gmail reply",
	    .in = "<div dir=\"ltr\">Thanks, fixed.<div><br></div><div>-- Ann"
	    "</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
	    "class=\"gmail_attr\">On Mon, Bob &lt;<a href=\"mailto:bob@e.com\">"
	    "bob@e.com</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\">"
	    "<div dir=\"ltr\">Printer broken.</div></blockquote></div>",
	    .want = "Thanks, fixed.\n\n-- Ann\n\nOn Mon, Bob <bob@e.com> "
	    "wrote:\n> Printer broken." },
	{ .name = "Apple Mail reply",
	    .in = "Hi,<div><br></div><div>See attached.</div><div><br>"
	    "<blockquote type=\"cite\"><div>On 3 Jun, Bob wrote:</div><br "
	    "class=\"Apple-interchange-newline\"><div><div>Old</div></div>"
	    "</blockquote></div><br>",
	    .want = "Hi,\n\nSee attached.\n\n> On 3 Jun, Bob wrote:\n>\n> Old" },
	{ .name = "numeric reference overflow", .in = "a&#21111111111;b",
	    .want = "a\xef\xbf\xbd" "b" },
	{ .name = "orphan list item", .in = "<li>orphan", .want = "- orphan" },
	{ .name = "leading and trailing breaks",
	    .in = "<br><br><p></p>x<br><br><p>&nbsp;</p>", .want = "x" },
	{ .name = "head only", .in = "<head><title>t</title></head>",
	    .want = "" },
};

static const struct pair from_text_cases[] = {
	{ .name = "markup escaped",
	    .in = "<script>alert(\"x\")</script> & co",
	    .want = "<p>&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; co</p>" },
	{ .name = "CRLF, CR, blank line",
	    .in = "line1\r\nline2\r\n\r\npara2\rmore",
	    .want = "<p>line1<br>\nline2</p>\n<p>para2<br>\nmore</p>" },
	{ .name = "spaces kept",
	    .in = "  indented\nA  B   C\n\ttab\ntrailing   ",
	    .want = "<p>&nbsp;&nbsp;indented<br>\nA&nbsp; B&nbsp;&nbsp; C<br>\n"
	    "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;tab<br>\n"
	    "trailing</p>" },
	{ .name = "URLs",
	    .in = "see https://e.com/a?b=1&c=2. (http://x.org/y) "
	    "<https://z.net/>",
	    .want = "<p>see <a href=\"https://e.com/a?b=1&amp;c=2\"" REL ">"
	    "https://e.com/a?b=1&amp;c=2</a>. (<a href=\"http://x.org/y\""
	    REL ">http://x.org/y</a>) &lt;<a href=\"https://z.net/\"" REL ">"
	    "https://z.net/</a>&gt;</p>" },
	{ .name = "URL with balanced parens",
	    .in = "http://w.org/A_(b) x",
	    .want = "<p><a href=\"http://w.org/A_(b)\"" REL ">"
	    "http://w.org/A_(b)</a> x</p>" },
	{ .name = "not URLs", .in = "xhttp://a.b http:// https://- ftp://x "
	    "javascript:alert(1)",
	    .want = "<p>xhttp://a.b http:// https://- ftp://x "
	    "javascript:alert(1)</p>" },
	{ .name = "quotes",
	    .in = "On Mon Bob wrote:\n> quoted\n> > deeper\n>\n> back\n\nreply",
	    .want = "<p>On Mon Bob wrote:</p>\n<blockquote>\n<p>quoted</p>\n"
	    "<blockquote>\n<p>deeper</p>\n</blockquote>\n<p>back</p>\n"
	    "</blockquote>\n<p>reply</p>" },
	{ .name = "blank lines collapse", .in = "\n\n\nonly\n\n\n",
	    .want = "<p>only</p>" },
	{ .name = "empty", .in = "", .want = "" },
	{ .name = "invalid UTF-8", .in = "a\xff" "b",
	    .want = "<p>a\xef\xbf\xbd" "b</p>" },
};

static const struct pair escape_cases[] = {
	{ .name = "all five", .in = "<a href=\"x\">'&'</a>",
	    .want = "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;" },
	{ .name = "plain", .in = "plain \xc3\xa9t\xc3\xa9",
	    .want = "plain \xc3\xa9t\xc3\xa9" },
	{ .name = "empty", .in = "", .want = "" },
};

/* Texts whose HTML must come back unchanged from html_sanitize. */
static const char *const stable_texts[] = {
	"hello",
	"<b>not bold</b> & \"quoted\" 'single'",
	"  two leading\n\ttab\nA   B\n\n\npara",
	"> quote\n>> deeper\nback\n",
	"http://a.b/?x=1&y=<2> https://c.d/(e)",
	"\xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80",
};

/* count - occurrences of needle in hay */
static long
count(const char *hay, const char *needle)
{
	long n = 0;
	size_t len = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

/* max_depth - deepest element nesting in html_sanitize() output, which
 * is well-formed and holds no '<' but in tags */
static long
max_depth(const char *s)
{
	static const char *const voids[] = { "<br", "<hr", "<col", "<wbr" };
	long d = 0, m = 0;
	size_t k;
	bool is_void;

	for (; (s = strchr(s, '<')) != NULL; s++) {
		if (s[1] == '/') {
			d--;
			continue;
		}
		is_void = false;
		for (k = 0; k < G_N_ELEMENTS(voids); k++)
			if (strncmp(s, voids[k], strlen(voids[k])) == 0 &&
			    (s[strlen(voids[k])] == '>' ||
			    s[strlen(voids[k])] == ' '))
				is_void = true;
		if (!is_void && ++d > m)
			m = d;
	}
	return m;
}

/* cpu_ms - CPU milliseconds this process has used: the work done,
 * whatever else the machine runs at the same time */
static gint64
cpu_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return g_get_monotonic_time() / 1000;
	return (gint64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* repeat - s n times, then tail; new string */
static char *
repeat(const char *head, const char *s, long n, const char *tail)
{
	GString *g = g_string_new(head);
	long k;

	for (k = 0; k < n; k++)
		g_string_append(g, s);
	g_string_append(g, tail);
	return g_string_free(g, FALSE);
}

/* run_tables - the exact-output tables */
static void
run_tables(void)
{
	char *got, *name;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(sanitize_cases); i++) {
		got = html_sanitize(sanitize_cases[i].in,
		    strlen(sanitize_cases[i].in));
		name = g_strdup_printf("sanitize: %s", sanitize_cases[i].name);
		tap_str(got, sanitize_cases[i].want, name);
		g_free(name);
		g_free(got);
	}
	for (i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		got = html_to_text(text_cases[i].in, strlen(text_cases[i].in));
		name = g_strdup_printf("to_text: %s", text_cases[i].name);
		tap_str(got, text_cases[i].want, name);
		g_free(name);
		g_free(got);
	}
	for (i = 0; i < G_N_ELEMENTS(from_text_cases); i++) {
		got = html_from_text(from_text_cases[i].in);
		name = g_strdup_printf("from_text: %s", from_text_cases[i].name);
		tap_str(got, from_text_cases[i].want, name);
		g_free(name);
		g_free(got);
	}
	for (i = 0; i < G_N_ELEMENTS(escape_cases); i++) {
		got = html_escape(escape_cases[i].in);
		name = g_strdup_printf("escape: %s", escape_cases[i].name);
		tap_str(got, escape_cases[i].want, name);
		g_free(name);
		g_free(got);
	}
}

/* run_round_trips - from_text output is stable under sanitize, and
 * to_text reads it back */
static void
run_round_trips(void)
{
	char *h, *s, *name;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(stable_texts); i++) {
		h = html_from_text(stable_texts[i]);
		s = html_sanitize(h, strlen(h));
		name = g_strdup_printf("sanitize(from_text) unchanged #%zu", i);
		tap_str(s, h, name);
		g_free(name);
		g_free(s);
		g_free(h);
	}
	h = html_from_text("Hello,\n  indented  twice\n\n> quoted\n"
	    "see https://e.com/x.");
	s = html_to_text(h, strlen(h));
	tap_str(s, "Hello,\n  indented  twice\n\n> quoted\n\n"
	    "see https://e.com/x.", "to_text(from_text) reads the same");
	g_free(s);
	g_free(h);
}

/* run_edges - NULL, empty, length-bounded and invalid input */
static void
run_edges(void)
{
	char *s;

	s = html_sanitize(NULL, 5);
	tap_str(s, "", "sanitize NULL");
	g_free(s);
	s = html_sanitize("<b>x</b>", 0);
	tap_str(s, "", "sanitize empty");
	g_free(s);
	s = html_to_text(NULL, 3);
	tap_str(s, "", "to_text NULL");
	g_free(s);
	s = html_to_text("", 0);
	tap_str(s, "", "to_text empty");
	g_free(s);
	s = html_from_text(NULL);
	tap_str(s, "", "from_text NULL");
	g_free(s);
	s = html_escape(NULL);
	tap_str(s, "", "escape NULL");
	g_free(s);
	s = html_sanitize("<b>x</b>junk", 8);
	tap_str(s, "<b>x</b>", "sanitize reads len bytes only");
	g_free(s);
	s = html_sanitize("a\xff\0<b>b</b>", 11);
	tap_str(s, "a\xef\xbf\xbd\xef\xbf\xbd<b>b</b>",
	    "invalid UTF-8 and NUL become U+FFFD");
	g_free(s);
	s = html_to_text("a\xc3<p>b", 6);
	tap_str(s, "a\xef\xbf\xbd\n\nb", "to_text invalid UTF-8");
	g_free(s);
}

/* run_bombs - nesting and formatting bombs stay bounded and fast */
static void
run_bombs(void)
{
	static const struct {
		const char *name;
		const char *head, *unit, *tail;
	} bombs[] = {
		{ "nested divs", "", "<div>", "deep" },
		{ "nested ul/li", "", "<ul><li>", "deep" },
		{ "nested i/b", "", "<i><b>", "deep" },
		{ "nested blockquotes", "", "<blockquote>", "deep" },
		{ "nested tables", "", "<table><tr><td>", "deep" },
		{ "formatting reconstruction", "<div><b a=1><b a=2><b a=3>"
		    "<b a=4><b a=5><b a=6><b a=7><b a=8></div>",
		    "<div>x</div>", "deep" },
	};
	const long n = 100000 / SCALE;
	char *in, *s, *t, *name;
	gint64 t0, ms;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bombs); i++) {
		in = repeat(bombs[i].head, bombs[i].unit, n, bombs[i].tail);
		name = g_strdup_printf("%ld %s", n, bombs[i].name);
		t0 = cpu_ms();
		s = html_sanitize(in, strlen(in));
		t = html_to_text(in, strlen(in));
		ms = cpu_ms() - t0;
		/* Minutes without the pre-pass; generous for ASan. */
		tap_ok(ms < 20000, "%s: done in %lld ms of CPU", name,
		    (long long)ms);
		tap_ok(strstr(s, "deep") != NULL && strstr(t, "deep") != NULL,
		    "%s: innermost text kept", name);
		tap_ok(max_depth(s) <= 256, "%s: output nesting %ld <= 256",
		    name, max_depth(s));
		tap_ok(g_utf8_validate(s, -1, NULL) &&
		    g_utf8_validate(t, -1, NULL), "%s: valid UTF-8", name);
		g_free(name);
		g_free(t);
		g_free(s);
		g_free(in);
	}

	/* Sloppy but ordinary HTML must not be mistaken for a bomb. */
	in = repeat("", "<p>x", 1000, "");
	s = html_sanitize(in, strlen(in));
	tap_int(count(s, "<p>x</p>"), 1000, "1000 unclosed <p> kept");
	g_free(s);
	g_free(in);
	in = repeat("<ul>", "<li><font color=red>x", 1000, "</ul>");
	s = html_sanitize(in, strlen(in));
	tap_int(count(s, "<li><font color=\"red\">x</font></li>"), 1000,
	    "1000 unclosed <li><font> kept");
	g_free(s);
	g_free(in);
	in = repeat("<table>", "<tr><td><font><b>x<td>y", 1000, "</table>");
	s = html_sanitize(in, strlen(in));
	tap_int(count(s, "<td><font><b>x</b></font></td><td>y</td>"), 1000,
	    "1000 rows with unclosed cells and fonts kept");
	g_free(s);
	g_free(in);
}

/* run_huge - 5 MB of ordinary HTML (512 KB under ASan) */
static void
run_huge(void)
{
	static const char para[] = "<p style=\"margin:0\">Hello <b>world</b> "
	    "&amp; <a href=\"https://e.com/x?y=1\">link</a> <span class=x>"
	    "t\xc3\xa9xt</span></p>\n<table><tr><td>a</td><td>b</td></tr>"
	    "</table>\n";
	const long kb = 5L * 1024 / SCALE;
	long n = kb * 1024 / (long)(sizeof(para) - 1);
	char *in, *s, *t, name[64];
	gint64 t0, ms;

	in = repeat("<html><body>", para, n, "</body></html>");
	t0 = cpu_ms();
	s = html_sanitize(in, strlen(in));
	t = html_to_text(in, strlen(in));
	ms = cpu_ms() - t0;
	tap_ok(ms < 60000, "%ld KB: done in %lld ms of CPU", kb,
	    (long long)ms);
	g_snprintf(name, sizeof(name), "%ld KB: every link sanitized", kb);
	tap_int(count(s, "<a href=\"https://e.com/x?y=1\"" REL ">link</a>"),
	    n, name);
	g_snprintf(name, sizeof(name), "%ld KB: every paragraph as text", kb);
	tap_int(count(t, "Hello world & link <https://e.com/x?y=1> t\xc3\xa9xt"),
	    n, name);
	tap_ok(g_utf8_validate(s, -1, NULL) && g_utf8_validate(t, -1, NULL),
	    "%ld KB: valid UTF-8", kb);
	g_free(t);
	g_free(s);
	g_free(in);
}

/* run_plain - html_from_text_plain(): <p> and <br>, nothing else */
static void
run_plain(void)
{
	static const struct {
		const char *name, *in, *want;
	} cases[] = {
		{ "plain NULL", NULL, "" },
		{ "plain one line", "hello", "<p>hello</p>" },
		{ "plain lines and paragraphs", "a\nb\n\nc", "<p>a<br>\nb</p>\n"
		  "<p>c</p>" },
		{ "plain escapes", "<b>&\"'", "<p>&lt;b&gt;&amp;\"'</p>" },
		{ "plain no link", "see https://example.com/x",
		  "<p>see https://example.com/x</p>" },
		{ "plain quote stays text", "> quoted\nreply",
		  "<p>&gt; quoted<br>\nreply</p>" },
		{ "plain leading spaces", "  x", "<p>&nbsp;&nbsp;x</p>" },
	};
	char *got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = html_from_text_plain(cases[i].in);
		tap_str(got, cases[i].want, cases[i].name);
		g_free(got);
	}
}

/*
 * run_tag_table - every element has its row at its own index, and a few
 * rows read as the public functions behave: what the table says happens
 * to <textarea>, <script>, <pre>, <table> and <section> is what does
 */
static void
run_tag_table(void)
{
	static const struct {
		GumboTag tag;
		unsigned int flags;
		enum html_san san;
		GumboTag as;
		enum html_txt txt;
		const char *in, *san_want, *txt_want;
	} rows[] = {
		{ GUMBO_TAG_TEXTAREA, HTML_TAG_RAW | HTML_TAG_SPECIAL,
		  HTML_SAN_DROP, GUMBO_TAG_UNKNOWN, HTML_TXT_DROP,
		  "a<textarea>t<b>x</b></textarea>b", "ab", "ab" },
		{ GUMBO_TAG_SCRIPT, HTML_TAG_RAW | HTML_TAG_SPECIAL,
		  HTML_SAN_DROP, GUMBO_TAG_UNKNOWN, HTML_TXT_DROP,
		  "a<script>alert('</b>')</script>b", "ab", "ab" },
		{ GUMBO_TAG_PRE, HTML_TAG_CLOSES_P | HTML_TAG_SPECIAL,
		  HTML_SAN_KEEP, GUMBO_TAG_PRE, HTML_TXT_PRE,
		  "<pre> a\n  b</pre>", "<pre> a\n  b</pre>", " a\n  b" },
		{ GUMBO_TAG_TABLE, HTML_TAG_CLOSES_P | HTML_TAG_SPECIAL |
		  HTML_TAG_SCOPE | HTML_TAG_TABLE_PART, HTML_SAN_KEEP,
		  GUMBO_TAG_TABLE, HTML_TXT_BLOCK1,
		  "<table border=1 onclick=x><tr><td>a<td>b</table>",
		  "<table border=\"1\"><tbody><tr><td>a</td><td>b</td></tr>"
		  "</tbody></table>", "a | b" },
		{ GUMBO_TAG_SECTION, HTML_TAG_CLOSES_P | HTML_TAG_SPECIAL,
		  HTML_SAN_KEEP, GUMBO_TAG_DIV, HTML_TXT_BLOCK1,
		  "<section>s</section>t", "<div>s</div>t", "s\nt" },
		{ GUMBO_TAG_UNKNOWN, 0, HTML_SAN_UNWRAP, GUMBO_TAG_UNKNOWN,
		  HTML_TXT_INLINE, "<o:p>o</o:p><x-y>y</x-y>", "oy", "oy" },
	};
	const struct html_tag_row *r;
	char *got, name[64];
	int t, misplaced = 0;
	size_t k;

	for (t = 0; t <= GUMBO_TAG_UNKNOWN; t++)
		if (html_tag_row((GumboTag)t)->tag != (GumboTag)t)
			misplaced++;
	tap_int(misplaced, 0, "tag table: every row at its own index");
	tap_int(html_tag_row(GUMBO_TAG_LAST)->tag, GUMBO_TAG_UNKNOWN,
	    "tag table: out of range reads the unknown row");

	for (k = 0; k < G_N_ELEMENTS(rows); k++) {
		r = html_tag_row(rows[k].tag);
		g_snprintf(name, sizeof(name), "tag table: %s",
		    rows[k].tag == GUMBO_TAG_UNKNOWN ? "unknown" :
		    gumbo_normalized_tagname(rows[k].tag));
		tap_ok(r->flags == rows[k].flags && r->san == rows[k].san &&
		    r->san_as == rows[k].as && r->txt == rows[k].txt,
		    "%s: row", name);
		got = html_sanitize(rows[k].in, strlen(rows[k].in));
		tap_str(got, rows[k].san_want, name);
		g_free(got);
		got = html_to_text(rows[k].in, strlen(rows[k].in));
		tap_str(got, rows[k].txt_want, name);
		g_free(got);
	}
}

/*
 * run_scrub - html_scrub() and html_put_escaped(), which read every byte
 * of every body in runs: a run must end at each byte that needs care,
 * wherever it falls (first, last, alone), and never read past len.
 */
static void
run_scrub(void)
{
	static const struct {
		const char *name;
		const char *in;
		gssize len;
		const char *want;
	} scrubs[] = {
		{ "scrub: ASCII as it is", "a b\tc\r\n", -1, "a b\tc\r\n" },
		{ "scrub: invalid byte first", "\xff" "ab", -1,
		    "\xef\xbf\xbd" "ab" },
		{ "scrub: invalid byte last", "ab\xff", -1,
		    "ab\xef\xbf\xbd" },
		{ "scrub: truncated sequence at len", "a\xe2\x82\xac", 3,
		    "a\xef\xbf\xbd\xef\xbf\xbd" },
		{ "scrub: NUL inside len", "a\0b", 3, "a\xef\xbf\xbd" "b" },
		{ "scrub: len bounds the read", "abcdef", 2, "ab" },
		{ "scrub: controls, DEL and C1 dropped",
		    "a\x01\x7f\xc2\x85" "b\x0c", -1, "ab\x0c" },
		{ "scrub: noncharacters as U+FFFD", "\xef\xb7\x90" "x\xef\xbf\xbe",
		    -1, "\xef\xbf\xbd" "x\xef\xbf\xbd" },
		{ "scrub: surrogate encoded is invalid", "\xed\xa0\x80", -1,
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "scrub: overlong is invalid", "\xc0\xaf", -1,
		    "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "scrub: valid after invalid is kept", "\xff\xc3\xa9", -1,
		    "\xef\xbf\xbd\xc3\xa9" },
	};
	static const struct {
		const char *name;
		const char *in;
		bool attr;
		const char *want;
	} escs[] = {
		{ "escape: all special", "&<>\"", true,
		    "&amp;&lt;&gt;&quot;" },
		{ "escape: quote kept in text", "a\"b", false, "a\"b" },
		{ "escape: nbsp and C1 in a run", "a\xc2\xa0" "b\xc2\x85" "c",
		    false, "a&nbsp;bc" },
		{ "escape: other U+00xx kept", "\xc2\xa9", false, "\xc2\xa9" },
		{ "escape: lone 0xc2 at the end", "a\xc2", false, "a\xc2" },
		{ "escape: controls dropped, white space kept",
		    "\x01" "a\tb\n\x7f", false, "a\tb\n" },
	};
	GString *g;
	char *got;
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(scrubs); k++) {
		got = html_scrub(scrubs[k].in, scrubs[k].len);
		tap_str(got, scrubs[k].want, scrubs[k].name);
		g_free(got);
	}
	for (k = 0; k < G_N_ELEMENTS(escs); k++) {
		g = g_string_new("<");
		html_put_escaped(g, escs[k].in, strlen(escs[k].in),
		    escs[k].attr);
		tap_str(g->str + 1, escs[k].want, escs[k].name);
		g_string_free(g, TRUE);
	}
}

/*
 * run_seal - html_doc_parse() frees the buffer gumbo parsed before the
 * walks: renamed formatting elements carry their own tag again, custom
 * tags stay unknown, and no string piece points into the freed buffer.
 */
static void
run_seal(void)
{
	static const char in[] = "<b>x</b><o:p>y</o:p><a href=\"http://e/\">"
	    "z</a><table><tr><td><font color=red>f</font></table>";
	static const GumboTag want[] = { GUMBO_TAG_B, GUMBO_TAG_UNKNOWN,
	    GUMBO_TAG_A, GUMBO_TAG_TABLE };
	struct html_doc doc;
	const GumboVector *kids;
	const GumboNode *n, *font;
	unsigned int i, pieces = 0;

	html_doc_parse(in, strlen(in), &doc);
	tap_ok(doc.body != NULL, "seal: body found");
	if (doc.body == NULL) {
		html_doc_free(&doc);
		return;
	}
	kids = &doc.body->v.element.children;
	tap_int(kids->length, G_N_ELEMENTS(want), "seal: four elements");
	for (i = 0; i < kids->length && i < G_N_ELEMENTS(want); i++) {
		n = kids->data[i];
		tap_int(html_node_tag(n), want[i], "seal: tag seen through "
		    "the renaming");
		pieces += n->v.element.original_tag.length +
		    n->v.element.original_end_tag.length;
		if (n->v.element.children.length > 0) {
			n = n->v.element.children.data[0];
			if (n->type == GUMBO_NODE_TEXT)
				pieces += n->v.text.original_text.length;
		}
	}
	tap_int(pieces, 0, "seal: no piece points into the freed buffer");
	/* table > tbody > tr > td > font */
	n = kids->data[3];
	for (i = 0; i < 3 && n->v.element.children.length > 0; i++)
		n = n->v.element.children.data[0];
	font = n->v.element.children.length > 0 ?
	    n->v.element.children.data[0] : NULL;
	tap_ok(font != NULL && font->type == GUMBO_NODE_ELEMENT &&
	    html_node_tag(font) == GUMBO_TAG_FONT &&
	    strcmp(html_node_attr(font, "color"), "red") == 0,
	    "seal: a deep renamed element and its attribute");
	html_doc_free(&doc);
}

int
main(void)
{
	run_tables();
	run_plain();
	run_round_trips();
	run_edges();
	run_bombs();
	run_huge();
	run_tag_table();
	run_scrub();
	run_seal();
	return tap_done();
}
