"""The equipment catalog, with a picture of each item."""

from __future__ import annotations

import reflex as rx

from adaptivefit.components.cards import empty_state, page_header, tag
from adaptivefit.components.layout import app_page
from adaptivefit.components.forms import form_field, section
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.state.auth import AuthState
from adaptivefit.state.catalog import EquipmentCatalogState as S, EquipmentEditorState as E

TYPES = ["free weight", "machine", "cable", "bodyweight", "cardio", "accessory"]
PICTURE_UPLOAD = "equipment-picture"


def _editor() -> rx.Component:
    return section(
        rx.cond(E.editing_id != "", "Edit equipment", "New equipment"),
        rx.form(
            rx.vstack(
                form_field("Equipment name", "name", errors=E.errors, default_value=E.form.get("name", ""),
                           key=E.editing_id + "n", max_length=80),
                rx.vstack(
                    rx.el.label("Type", html_for="equipment-type", font_size="var(--font-size-2)", font_weight="500"),
                    rx.el.select(*[rx.el.option(t.capitalize(), value=t) for t in TYPES], id="equipment-type",
                                 name="type", default_value=E.form.get("type", "free weight"), key=E.editing_id + "t",
                                 style={"padding": "0.5em", "width": "100%", "font_size": "16px"}),
                    spacing="1", width="100%", align="start",
                ),
                form_field("Description", "description", errors=E.errors, default_value=E.form.get("description", ""),
                           key=E.editing_id + "d", max_length=2000),
                rx.hstack(rx.button("Save equipment", type="submit"),
                          rx.button("Close", type="button", variant="ghost", on_click=E.close)),
                spacing="3", width="100%", align="start",
            ),
            on_submit=E.save, reset_on_submit=False, no_validate=True, width="100%",
        ),
        rx.cond(
            E.editing_id != "",
            rx.vstack(
                rx.upload.root(rx.button("Upload a picture", type="button", variant="soft"), id=PICTURE_UPLOAD,
                               accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                               max_files=1, max_size=MAX_AVATAR_BYTES,
                               on_drop=E.upload_picture(rx.upload_files(upload_id=PICTURE_UPLOAD)),
                               border="none", padding="0"),
                rx.text("JPEG, PNG or WebP up to 5 MB; checked by content and resized.", size="1", color_scheme="gray"),
                rx.cond(E.errors.get("image", "") != "", rx.text(E.errors.get("image", ""), color_scheme="red", size="2")),
                align="start",
            ),
        ),
    )


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
            rx.cond(AuthState.can_edit_library,
                    rx.button("Edit", size="1", variant="ghost", aria_label="Edit " + item["name"].to(str),
                              on_click=E.edit(item["id"].to(str)))),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


@app_page("/equipment", "Equipment", nav="Equipment", icon="warehouse", order=20, on_phone=False, on_load=S.load)
def equipment() -> rx.Component:
    return rx.vstack(
        page_header("Equipment", "What the exercises in the library need."),
        rx.cond(AuthState.can_edit_library,
                rx.cond(E.open, _editor(), rx.button(rx.icon("plus", size=16), "Add equipment", variant="soft",
                                                     on_click=E.new))),
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
