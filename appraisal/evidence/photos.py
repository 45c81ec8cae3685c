"""Photos backing an inspection (SPEC §3.3).

An upload is untrusted: its size is capped before anything is decoded, the
image's declared size is checked before its pixels are (a decompression bomb
is a 422), and only JPEG, PNG, WebP and HEIC/HEIF are opened. It is decoded,
turned upright by its EXIF orientation, and re-encoded as a JPEG of at most
2048 px on its long edge with no metadata at all (EXIF, GPS, ICC, comments),
plus a 320 px thumbnail. Decoding is CPU work, done in a worker thread, at
most a few at a time, so that the event loop keeps serving everyone else.

The files live outside the database, under `APPRAISAL_MEDIA_DIR`, named by the
SHA-256 of their bytes in a folder of its first two hex digits
(`ab/abcdef….jpg`); the row keeps both hashes. A refused upload writes
nothing: every check runs before the files are written, and the files are
written inside the row's transaction (the period locked), after which only the
row's insert and its audit entry remain.

`attach_photo` is what the API and the pages call, right after an inspection
is recorded as well as later.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.config import get_settings
from appraisal.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    Problem,
    Unprocessable,
    field_message,
)
from appraisal.evidence.models import (
    COUNTED,
    LIVE_ACTION_STATES,
    CorrectiveAction,
    Inspection,
    InspectionItem,
    Photo,
)
from appraisal.evidence.service import _not_void, may_correct
from appraisal.periods.service import lock_open_period
from appraisal.staff.scope import employee_filter

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024  # an upload, as sent
MAX_PER_INSPECTION = 10
# A request carrying one photo: read up to this much, so that an upload a little over
# MAX_BYTES is told the limit by name (beyond it, the server's plain 413).
UPLOAD_BODY_BYTES = MAX_BYTES + 6 * 1024 * 1024
MAX_PIXELS = 64_000_000  # declared width × height: above it, not decoded at all
LONG_EDGE = 2048
THUMB_EDGE = 320
QUALITY = 82
THUMB_QUALITY = 75
# Decoded at once at most: each may take a few hundred MB for a large photo.
_DECODERS = anyio.CapacityLimiter(2)
ACCEPTED = ("JPEG", "PNG", "WEBP", "HEIF")
CONTENT_TYPE = "image/jpeg"
SIZES = ("full", "thumb")


@dataclass(frozen=True, slots=True)
class Encoded:
    """An upload decoded and re-encoded: the stored JPEG, its thumbnail, its size."""

    jpeg: bytes
    thumb: bytes
    width: int
    height: int

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.jpeg).hexdigest()

    @property
    def thumb_hash(self) -> str:
        return hashlib.sha256(self.thumb).hexdigest()


def _not_an_image() -> Unprocessable:
    return Unprocessable.field(
        "file", "the file is not a photo that can be read: send a JPEG, PNG, WebP or "
        "HEIC/HEIF image", code="photo_unreadable")


def _too_many_pixels() -> Unprocessable:
    return Unprocessable.field(
        "file", "the image has too many pixels; at most %(max)s megapixels are accepted",
        code="photo_too_many_pixels", max=MAX_PIXELS // 1_000_000)


def _srgb(im: Image.Image) -> Image.Image:
    """Colours converted from an embedded ICC profile to sRGB (the profile itself is then
    dropped with the rest of the metadata); as it is when that cannot be done."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"),
                                         outputMode="RGBA" if im.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im


def _flat(im: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (a JPEG has none); 16-bit grey scaled to 8 bits."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        im = im.convert("I").point(lambda v: v / 257).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return im.convert("RGB")


def _jpeg(im: Image.Image, quality: int) -> bytes:
    # A fresh image: nothing of the upload's info (EXIF, GPS, ICC, XMP, comments) travels.
    clean = Image.frombytes("RGB", im.size, im.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def encode(data: bytes) -> Encoded:
    """Decode an upload and re-encode it (module docs); 422 naming `file` when it is not
    an accepted image or declares more than MAX_PIXELS. CPU-bound: run it off the loop."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED) as im:
            width, height = im.size
            if width < 1 or height < 1:
                raise _not_an_image()
            if width * height > MAX_PIXELS:
                raise _too_many_pixels()
            if im.format == "JPEG":  # decode at a reduced scale where the codec can
                im.draft("RGB", (LONG_EDGE, LONG_EDGE))
            im.load()
            upright = ImageOps.exif_transpose(_srgb(im))
    except Problem:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError,
            SyntaxError, EOFError, TypeError, RuntimeError, MemoryError):
        raise _not_an_image() from None
    picture = _flat(upright)
    picture.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return Encoded(_jpeg(picture, QUALITY), _jpeg(thumb, THUMB_QUALITY), *picture.size)


# ---------------------------------------------------------------- the files


def media_path(content_hash: str) -> Path:
    """Where the file of this hash lives: <media>/ab/abcdef….jpg."""
    return get_settings().media_dir / content_hash[:2] / f"{content_hash}.jpg"


def _store(content: bytes, content_hash: str) -> None:
    """Write a file named by its hash, atomically (a reader never sees half of it);
    already there, it is the same bytes and stays as it is."""
    path = media_path(content_hash)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_files(encoded: Encoded) -> None:
    """The photo and its thumbnail on disk (blocking: call it off the event loop)."""
    _store(encoded.jpeg, encoded.content_hash)
    _store(encoded.thumb, encoded.thumb_hash)


async def _forget_unused(encoded: Encoded) -> None:
    """After a failed insert: the files no photo row names are removed again."""
    for content_hash in (encoded.content_hash, encoded.thumb_hash):
        if not await Photo.filter(content_hash=content_hash).exists() and not await Photo.filter(
                thumb_hash=content_hash).exists():
            await anyio.to_thread.run_sync(media_path(content_hash).unlink, True)


# ---------------------------------------------------------------- writing


async def _item_code(inspection: Inspection, given: str | None) -> str | None:
    """The item the photo backs: one recorded on this inspection (422 otherwise)."""
    if given is None or not given.strip():
        return None
    code = given.strip().upper()
    recorded = await InspectionItem.filter(inspection_id=inspection.id).order_by(
        "id").values_list("code", flat=True)
    if code not in recorded:
        raise Unprocessable.field(
            "item_code", "item %(item)s is not recorded on inspection %(id)s (it has "
            "%(known)s)", code="photo_item_not_recorded", item=given.strip()[:16],
            id=inspection.id, known=", ".join(recorded))
    return code


async def _room_left(inspection: Inspection) -> None:
    if await Photo.filter(inspection_id=inspection.id).count() >= MAX_PER_INSPECTION:
        raise Unprocessable.field(
            "file", "inspection %(id)s already has %(max)s photos, the most it may have",
            code="photo_limit", id=inspection.id, max=MAX_PER_INSPECTION)


def check_size(size: int) -> None:
    """413 naming `file` for an upload over MAX_BYTES, with the limit in words."""
    if size > MAX_BYTES:
        detail = field_message(
            "file", "the photo is %(size_mb)s MB; at most %(max_mb)s MB are accepted",
            code="photo_too_large", size_mb=f"{size / 1024 / 1024:.1f}",
            max_mb=MAX_BYTES // 1024 // 1024)
        raise PayloadTooLarge(detail, errors=[{"field": "file",
                                               "message": detail.params["message"]}])


async def encode_upload(data: bytes) -> Encoded:
    """An upload checked and re-encoded off the event loop (413 or 422 naming `file`):
    a form can check its photos before it writes anything."""
    check_size(len(data))
    async with _DECODERS:
        return await anyio.to_thread.run_sync(encode, data)


async def attach_photo(actor: Actor, inspection: Inspection | int, data: bytes,
                       item_code: str | None = None, encoded: Encoded | None = None) -> Photo:
    """Attach a photo to an inspection in the actor's scope (SPEC §3.3).

    HR any, a supervisor the inspections they recorded (403 otherwise, as for a
    correction); out of scope 404, void 409, its month not open 409; too big 413; not
    an image, an item not recorded on it, an 11th photo 422. Callable right after
    `create_inspection` in the same request, with `written.inspection`.
    """
    if isinstance(inspection, int):
        found = await Inspection.filter(id=inspection, **employee_filter(
            actor, "employee__")).first()
        if found is None:
            raise NotFound("inspection %(id)s not found", code="evidence_not_found",
                           id=inspection)
        inspection = found
    may_correct(actor, inspection, "inspection")
    _not_void(inspection, "inspection")
    check_size(len(data))
    code = await _item_code(inspection, item_code)
    await _room_left(inspection)
    if encoded is None:
        encoded = await encode_upload(data)
    async with in_transaction():
        await lock_open_period(inspection.period_id)
        # Again under the period's lock: concurrent uploads count each other.
        voided = await Inspection.filter(id=inspection.id).values_list("voided_at", flat=True)
        if voided and voided[0] is not None:
            raise Conflict("inspection %(id)s is void; void evidence is kept as it was "
                           "and cannot be corrected", code="evidence_void", id=inspection.id)
        await _room_left(inspection)
        return await _keep(actor, encoded, inspection.id, code)


async def _keep(actor: Actor, encoded: Encoded, inspection_id: int, item_code: str | None,
                action_id: int | None = None) -> Photo:
    """The files on disk, then the row and its audit entry (inside the caller's
    transaction); the files go again when the row cannot be written."""
    await anyio.to_thread.run_sync(store_files, encoded)
    try:
        photo = await Photo.create(
            inspection_id=inspection_id, item_code=item_code, action_id=action_id,
            content_hash=encoded.content_hash, content_type=CONTENT_TYPE,
            width=encoded.width, height=encoded.height, bytes=len(encoded.jpeg),
            thumb_hash=encoded.thumb_hash, created_by_id=actor.id, created_at=clock.now())
        await record(actor, "create", "photo", photo.id, after=model_state(photo))
    except BaseException:
        await _forget_unused(encoded)
        raise
    return photo


# ---------------------------------------------------------------- reading


async def photo_in_scope(actor: Actor, photo_id: int) -> Photo:
    """A photo whose inspection the actor reaches (the employee their own, a supervisor
    their teams', HR all); 404 otherwise."""
    photo = await Photo.filter(id=photo_id, **employee_filter(
        actor, "inspection__employee__")).first()
    if photo is None:
        raise NotFound("photo %(id)s not found", code="photo_not_found", id=photo_id)
    return photo


async def photo_bytes(actor: Actor, photo_id: int, size: str = "full") -> tuple[Photo, bytes]:
    """The photo (or its thumbnail) as stored; 404 when out of scope or its file is gone."""
    photo = await photo_in_scope(actor, photo_id)
    content_hash = photo.thumb_hash if size == "thumb" else photo.content_hash
    try:
        return photo, await anyio.Path(media_path(content_hash)).read_bytes()
    except FileNotFoundError:
        raise NotFound("the file of photo %(id)s is missing", code="photo_file_missing",
                       id=photo_id) from None


# Photos of what failed (a photo of the fix belongs to its corrective action).
OF_FAILURES: dict[str, Any] = {"action_id__isnull": True}


async def fix_photos(action_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each corrective action's photos of the fix, oldest first (one query)."""
    out: dict[int, list[int]] = {}
    ids = sorted(set(action_ids))
    for photo_id, action_id in await Photo.filter(action_id__in=ids).order_by("id").values_list(
            "id", "action_id") if ids else []:
        out.setdefault(action_id, []).append(photo_id)
    return out


async def attach_fix_photo(actor: Actor, action: CorrectiveAction, data: bytes,
                           encoded: Encoded | None = None) -> Photo:
    """A photo of the fix, taken when the action is marked done (SPEC §3.5): by whoever
    may mark it done (the assignee, or a supervisor or HR who reaches them), while it
    is under way; whatever month the inspection was in."""
    if action.state not in LIVE_ACTION_STATES:
        raise Conflict("corrective action %(id)s is %(action_state)s and cannot be changed",
                       code="action_closed", id=action.id, action_state=str(action.state))
    check_size(len(data))
    inspection = await Inspection.get(id=action.inspection_id)
    await _room_left(inspection)
    if encoded is None:
        encoded = await encode_upload(data)
    async with in_transaction():
        return await _keep(actor, encoded, inspection.id, action.item_code, action.id)


async def photos_of(inspection_ids: list[int]) -> dict[int, list[tuple[int, str | None]]]:
    """Each inspection's photos of what failed as (id, item_code), oldest first (one
    query); photos of a fix are its action's."""
    out: dict[int, list[tuple[int, str | None]]] = {}
    if not inspection_ids:
        return out
    for photo_id, inspection_id, code in await Photo.filter(
            inspection_id__in=inspection_ids, **OF_FAILURES).order_by("id").values_list(
            "id", "inspection_id", "item_code"):
        out.setdefault(inspection_id, []).append((photo_id, code))
    return out


async def item_photo_counts(inspection_ids: Iterable[int]) -> Counter[tuple[int, str]]:
    """How many photos back each (inspection, item code), in one grouped query; photos of
    a void inspection count for nothing, as it does."""
    ids = sorted(set(inspection_ids))
    if not ids:
        return Counter()
    rows = await Photo.filter(
        inspection_id__in=ids, item_code__isnull=False, **OF_FAILURES,
        **{f"inspection__{k}": v for k, v in COUNTED.items()},
    ).annotate(n=Count("id")).group_by("inspection_id", "item_code").values_list(
        "inspection_id", "item_code", "n")
    return Counter({(inspection_id, code): n for inspection_id, code, n in rows})
