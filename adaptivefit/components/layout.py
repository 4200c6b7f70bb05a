"""The responsive shell every page uses, and the one decorator that registers a page in it.

Wide screens get a sidebar; phones get a top bar and a bottom tab bar. A page appears in the
navigation only by being registered with a `nav` label, so there is never a link to a page that
does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from adaptivefit.state.auth import AuthState

PRODUCT_NAME = "Adaptive Fit"
SIDEBAR_WIDTH = "15em"


@dataclass(frozen=True)
class NavItem:
    route: str
    label: str
    icon: str
    order: int
    audience: str | None = None
    # The phone tab bar has room for few tabs; the rest are reached from the pages.
    on_phone: bool = True


NAV_ITEMS: list[NavItem] = []


def _nav_items() -> list[NavItem]:
    return sorted(NAV_ITEMS, key=lambda item: item.order)


_AUDIENCE = {
    "signed_in": lambda: AuthState.signed_in,
    "member": lambda: AuthState.is_member,
    "staff": lambda: AuthState.is_staff,
    "trainer": lambda: AuthState.is_trainer,
    "admin": lambda: AuthState.is_admin,
}
_GUARDS = {
    "signed_in": lambda: AuthState.require_signed_in,
    # The link shows to members only; anyone signed in may open the page (it explains their case).
    "member": lambda: AuthState.require_signed_in,
    "staff": lambda: AuthState.require_staff,
    "trainer": lambda: AuthState.require_trainer,
    "admin": lambda: AuthState.require_admin,
}


def _for_audience(item: NavItem, component: rx.Component) -> rx.Component:
    """A nav link shown only to those who may open its page (the page checks again on the server)."""
    if item.audience is None:
        return component
    return rx.cond(_AUDIENCE[item.audience](), component)


def _is_active(route: str) -> rx.Var[bool]:
    path = rx.State.router.url.path
    if route == "/":
        return path == "/"
    return path.startswith(route)


def brand(size: str = "5") -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.image(src="/icon-192.png", width="1.75em", height="1.75em", alt=""),
            rx.text(PRODUCT_NAME, size=size, weight="bold"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        aria_label=f"{PRODUCT_NAME} home",
    )


def _sidebar_link(item: NavItem) -> rx.Component:
    active = _is_active(item.route)
    return rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label, size="3", weight="medium"),
            align="center",
            spacing="3",
            padding_x="0.75em",
            padding_y="0.55em",
            border_radius="var(--radius-3)",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
        ),
        href=item.route,
        underline="none",
        width="100%",
        aria_current=rx.cond(active, "page", "false"),
    )


def user_menu() -> rx.Component:
    """The signed-in user's menu, or a way to sign in."""
    return rx.cond(
        AuthState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user-round", size=18),
                    rx.text(AuthState.user_name, trim="both", max_width="10em", overflow="hidden",
                            text_overflow="ellipsis", white_space="nowrap"),
                    variant="soft",
                    color_scheme="gray",
                    aria_label="Account menu",
                ),
            ),
            rx.menu.content(
                rx.text(AuthState.user_email, size="1", color_scheme="gray", padding_x="0.75em", padding_y="0.25em"),
                rx.menu.separator(),
                rx.menu.item(rx.icon("log-out", size=16), "Sign out", on_click=AuthState.sign_out),
            ),
        ),
        rx.button(rx.link("Sign in", href="/login", underline="none"), as_child=True, variant="soft"),
    )


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            brand(),
            rx.vstack(*[_for_audience(item, _sidebar_link(item)) for item in _nav_items()], spacing="1", width="100%"),
            rx.spacer(),
            user_menu(),
            spacing="5",
            min_height="100%",
            padding="1.25em",
            align="start",
        ),
        role="navigation",
        aria_label="Main",
        position="fixed",
        top="0",
        left="0",
        height="100vh",
        # Staff see many links: on a short window the list scrolls so the account menu stays reachable.
        overflow_y="auto",
        width=SIDEBAR_WIDTH,
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        display=["none", "none", "block"],
    )


def _tab_link(item: NavItem) -> rx.Component:
    active = _is_active(item.route)
    return rx.link(
        rx.vstack(
            rx.icon(item.icon, size=22),
            # Staff see seven tabs: a label may shorten, but never runs into its neighbour.
            rx.text(item.label, weight="medium", font_size="11px", white_space="nowrap", overflow="hidden",
                    text_overflow="ellipsis", max_width="100%"),
            align="center",
            spacing="1",
            min_width="0",
        ),
        href=item.route,
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        aria_current=rx.cond(active, "page", "false"),
        flex="1",
        min_width="0",
        padding_y="0.5em",
        # Big enough for a thumb with sweaty hands.
        min_height="3.5em",
        display="flex",
        justify_content="center",
    )


def tab_bar() -> rx.Component:
    return rx.box(
        rx.hstack(*[_for_audience(item, _tab_link(item)) for item in _nav_items() if item.on_phone],
                  spacing="0", width="100%"),
        role="navigation",
        aria_label="Tabs",
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        z_index="10",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        padding_bottom="env(safe-area-inset-bottom)",
        display=["block", "block", "none"],
    )


def top_bar() -> rx.Component:
    return rx.box(
        rx.hstack(brand(size="4"), user_menu(), justify="between", align="center", width="100%"),
        role="banner",
        padding_x="1em",
        padding_y="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        display=["block", "block", "none"],
    )


def shell(content: rx.Component) -> rx.Component:
    return rx.box(
        sidebar(),
        top_bar(),
        rx.box(
            rx.box(content, max_width="72em", margin_x="auto", width="100%"),
            role="main",
            margin_left=["0", "0", SIDEBAR_WIDTH],
            padding=["1em", "1.25em", "2em"],
            # Room for the tab bar on phones.
            padding_bottom=["6em", "6em", "2em"],
            min_height="100vh",
        ),
        tab_bar(),
    )


def app_page(
    route: str,
    title: str,
    *,
    nav: str | None = None,
    icon: str = "circle",
    order: int = 100,
    audience: str | None = None,
    on_phone: bool = True,
    description: str = "Adaptive strength training, nutrition and coaching.",
    on_load=None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page with the shell; with `nav`, also list it in the navigation.

    `audience` ("signed_in", "member", "staff", "trainer", "admin") limits who sees the link and who may open the page:
    anyone else is redirected with a message before the page's own load runs.
    """

    def decorator(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        if nav is not None:
            NAV_ITEMS.append(NavItem(route=route, label=nav, icon=icon, order=order, audience=audience, on_phone=on_phone))

        def page() -> rx.Component:
            return shell(render())

        page.__name__ = render.__name__
        full_title = PRODUCT_NAME if route == "/" else f"{title} · {PRODUCT_NAME}"
        # Every page resolves the session on the server first, so the shell shows who is signed in.
        extra = [] if on_load is None else on_load if isinstance(on_load, list) else [on_load]
        guard = [_GUARDS[audience]()] if audience else []
        events = [AuthState.check_session, *guard, *extra]
        return rx.page(route=route, title=full_title, description=description, on_load=events)(page)

    return decorator
