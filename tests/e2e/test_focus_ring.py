"""The keyboard focus is plain to see (WCAG 2.2 focus appearance): a 3 px solid ring with a white halo, the
two at least 9:1 apart so that one of them stands out on any surface, on links, buttons, fields and the
account menu's summary. Pico's own was 2 px at 50 % alpha."""

import re

import pytest

from tests.factories import PASSWORD

FOCUS_STYLE = """async (selector) => {
  const element = document.querySelector(selector);
  element.focus();
  await Promise.all(element.getAnimations().map((transition) => transition.finished));  // Pico's 0.2 s
  const style = getComputedStyle(element);
  return { focused: document.activeElement === element, visible: element.matches(":focus-visible"),
           width: style.outlineWidth, style: style.outlineStyle, colour: style.outlineColor,
           offset: style.outlineOffset, halo: style.boxShadow };
}"""


def luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    "selector",
    [
        ".site-menu a",  # a link
        "main button[type=submit]",  # a button
        "main input[type=text]",  # a field
        "main select",
        ".site-menu details.dropdown > summary",  # the account menu
        ".brand",
    ],
)
def test_the_focus_ring_is_thick_solid_and_contrasting(page, transactional_db, hr, log_in, selector):
    log_in(hr.email, PASSWORD)
    page.goto("/moments/")
    page.keyboard.press("Tab")  # the keyboard is in use: focus() now shows the ring as Tab would

    ring = page.evaluate(FOCUS_STYLE, selector)

    assert ring["focused"]
    assert ring["visible"]
    assert ring["style"] == "solid"
    assert float(ring["width"].removesuffix("px")) >= 3
    assert float(ring["offset"].removesuffix("px")) >= 1
    halo = re.match(r"rgba?\([^)]*\)", ring["halo"])
    assert halo is not None, ring["halo"]
    assert contrast(ring["colour"], "rgb(255, 255, 255)") >= 9, "against the white page"
    assert contrast(ring["colour"], halo.group(0)) >= 9, "ring and halo: one shows on any background"
