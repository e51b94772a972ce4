"""What a room needs to join from the projector: the full join address, built from the
host the page was asked for, and a QR code of it drawn on the server (no network, no
script: an inline SVG of paths, which the pages' CSP allows)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def join_address(request, code: str) -> str:
    """The board's absolute address, as the browser that asked sees this server (its Host
    header passed ALLOWED_HOSTS; the scheme follows the request, or its proxy)."""
    return request.build_absolute_uri(f"/w/{code}/")


def qr_svg(address: str) -> SafeString:
    """The address as a QR code: an <svg> with a viewBox and no size, so CSS scales it.
    Error level M survives a projector's glare; a border of 4 modules is the quiet zone
    phone cameras need."""
    code = segno.make(address, error="m")
    svg = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr", lineclass=None
    )
    # Safe to mark: segno writes only its own elements and numbers; the address becomes
    # modules, never text in the markup.
    return mark_safe(svg)  # noqa: S308
