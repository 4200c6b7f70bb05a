"""State for browsing the exercise library and the equipment library. Thin: services do the work."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role
from adaptivefit.services.catalog import equipment, library
from adaptivefit.services.files import avatars
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.state.guard import actor, public, refusal_text, require_role

ALL = "all"
LIBRARY_EDITORS = (Role.TRAINER, Role.MODERATOR, Role.ADMIN)


def _library_page(query: str, muscle: str, category: str, equipment: str, page: int, user_id: int | None):
    with session_scope() as session:
        result = library.search_exercises(
            session,
            user_id=user_id,
            query=query,
            muscle="" if muscle == ALL else muscle,
            category="" if category == ALL else category,
            equipment="" if equipment == ALL else equipment,
            page=page,
        )
        filters = library.exercise_filters(session)
    return result, filters


class ExerciseLibraryState(rx.State):
    query: str = ""
    muscle: str = ALL
    category: str = ALL
    equipment: str = ALL
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict] = []
    muscles: list[str] = []
    categories: list[str] = []
    equipment_names: list[str] = []
    loaded: bool = False

    async def _refresh(self):
        from adaptivefit.state.auth import AuthState
        from adaptivefit.state.guard import resolve_actor

        # Signed-in members also see their own private exercises.
        token = (await self.get_state(AuthState)).session_token
        me = await asyncio.to_thread(resolve_actor, token) if token else None
        result, filters = await asyncio.to_thread(
            _library_page, self.query, self.muscle, self.category, self.equipment, self.page, me.id if me else None
        )
        self.rows = [
            {
                "id": row.id,
                "name": row.name,
                "category": row.category,
                "primary_muscle": row.primary_muscle,
                "secondary": ", ".join(row.secondary_muscles),
                "equipment": ", ".join(row.equipment) or "Bodyweight",
                "instructions": row.instructions,
                "custom": "yes" if row.is_custom else "",
                "attribution": row.attribution,
            }
            for row in result.rows
        ]
        self.total, self.page, self.pages = result.total, result.page, result.pages
        self.muscles, self.categories, self.equipment_names = filters.muscles, filters.categories, filters.equipment
        self.loaded = True

    @rx.event
    @public
    async def load(self):
        await self._refresh()

    @rx.event
    @public
    async def set_query(self, value: str):
        self.query = str(value)[:100]
        self.page = 1
        await self._refresh()

    @rx.event
    @public
    async def set_filter(self, name: str, value: str):
        if name not in ("muscle", "category", "equipment"):
            return
        setattr(self, name, str(value)[:80])
        self.page = 1
        await self._refresh()

    @rx.event
    @public
    async def clear_filters(self):
        self.query, self.muscle, self.category, self.equipment, self.page = "", ALL, ALL, ALL, 1
        await self._refresh()

    @rx.event
    @public
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()


def _equipment_rows():
    with session_scope() as session:
        return [
            {
                "id": item.id,
                "name": item.name,
                "type": item.type,
                "description": item.description,
                "image": item.image or "",
            }
            for item in library.list_equipment(session)
        ]


class EquipmentCatalogState(rx.State):
    items: list[dict] = []
    loaded: bool = False

    @rx.event
    @public
    async def load(self):
        self.items = await asyncio.to_thread(_equipment_rows)
        self.loaded = True


class EquipmentEditorState(rx.State):
    """Trainers and admins add and edit catalog items, with a picture checked like an avatar."""

    open: bool = False
    editing_id: str = ""
    form: dict[str, str] = {}
    errors: dict[str, str] = {}

    @rx.event
    @require_role(*LIBRARY_EDITORS)
    async def new(self):
        self.open, self.editing_id, self.form, self.errors = True, "", {}, {}

    @rx.event
    @require_role(*LIBRARY_EDITORS)
    async def edit(self, equipment_id: str):
        items = await asyncio.to_thread(_equipment_rows)
        chosen = next((item for item in items if str(item["id"]) == str(equipment_id)), None)
        if chosen is None:
            return rx.toast.error("That equipment was not found.")
        self.open, self.editing_id, self.errors = True, str(chosen["id"]), {}
        self.form = {"name": chosen["name"], "type": chosen["type"], "description": chosen["description"]}

    @rx.event
    @require_role(*LIBRARY_EDITORS)
    async def close(self):
        self.open = False

    async def _save(self, fields: dict, image: bytes | None):
        me = actor()
        target = int(self.editing_id) if self.editing_id.isdigit() else None

        def save():
            with session_scope() as session:
                return equipment.save_equipment(session, me, fields, image, equipment_id=target).id

        try:
            saved_id = await asyncio.to_thread(save)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(refusal_text(failed))
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors, self.editing_id = {}, str(saved_id)
        self.form = {k: str(v)[:2000] for k, v in fields.items()}
        return [rx.toast.success("Equipment saved."), EquipmentCatalogState.load]

    @rx.event
    @require_role(*LIBRARY_EDITORS)
    async def save(self, form: dict):
        fields = {k: str(form.get(k, ""))[:2000] for k in ("name", "type", "description")}
        return await self._save(fields, None)

    @rx.event
    @require_role(*LIBRARY_EDITORS)
    async def upload_picture(self, files: list[rx.UploadFile]):
        if not self.editing_id:
            return rx.toast.error("Save the equipment first, then add its picture.")
        if not files:
            return
        data = await files[0].read(avatars.MAX_AVATAR_BYTES + 1)
        return await self._save(dict(self.form), data)
