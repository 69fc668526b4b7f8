"""The asyncio client: many calls in flight on one client, one token for all of them."""

from __future__ import annotations

import asyncio

from runai_admin.testing import FakeControlPlane


async def main() -> None:
    async with FakeControlPlane() as plane, plane.async_client() as client:
        created = await asyncio.gather(
            *(
                client.projects.create(
                    name=f"batch-{i}",
                    cluster_id=plane.cluster_id,
                    resources=[{"gpu": {"deserved": 1}}],
                )
                for i in range(10)
            )
        )
        print(f"created {len(created)} projects with {client.token_requests} token request(s)")
        names = [p["name"] async for p in client.projects.list(page_size=4, sort_by="name")]
        print("listed:", ", ".join(names))


if __name__ == "__main__":
    asyncio.run(main())
