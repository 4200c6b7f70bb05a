"""The equipment catalog, with a picture of each item."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.state.catalog import EquipmentCatalogState as S


def _item(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                item["image"] != "",
                rx.image(
                    src=rx.get_upload_url(item["image"]),
                    alt=item["name"],
                    width="100%",
                    height="9em",
                    object_fit="cover",
                    border_radius="var(--radius-3)",
                ),
            ),
            rx.heading(item["name"], size="4", as_="h3"),
            tag(item["type"], "green"),
            rx.text(item["description"], size="2", color_scheme="gray"),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


@app_page("/equipment", "Equipment", nav="Equipment", icon="warehouse", order=20, on_phone=False, on_load=S.load)
def equipment() -> rx.Component:
    return rx.vstack(
        page_header("Equipment", "What the exercises in the library need."),
        rx.cond(
            S.loaded & (S.items.length() == 0),
            empty_state("package-open", "No equipment yet", "Load the demo data to fill the catalog."),
            rx.grid(
                rx.foreach(S.items, _item),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="3",
                width="100%",
            ),
        ),
        width="100%",
    )
