"""A CSV download streamed in chunks, so a large export never sits in memory."""

from __future__ import annotations

import csv
import io
from typing import AsyncIterator, Sequence

from aiohttp import web

CHUNK = 32_000


async def stream_csv(request: web.Request, filename: str, header: Sequence[str],
                     rows: AsyncIterator[Sequence]) -> web.StreamResponse:
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    })
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    async for row in rows:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            await response.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode("utf-8"))
    await response.write_eof()
    return response
