"""``create_app(settings)``: the FastAPI app serving the lesson, its API and its assets."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from batchlab.core.scene import SceneSpec
from batchlab.lesson.render import load_lesson
from batchlab.web import dives
from batchlab.web import experiments as experiments_data
from batchlab.web.assets import lazy_blob, plotly_js
from batchlab.web.errors import FieldError, field_error_handler, validation_error_handler
from batchlab.web.memory import keep_freed_memory
from batchlab.web.routes import api, experiments, pages, vendor
from batchlab.web.scenes import SceneCache
from batchlab.web.settings import Settings
from batchlab.web.timing import ServerTiming

STATIC = Path(__file__).resolve().parent / "static"


def _lab_router(settings: Settings) -> APIRouter | None:
    """The lab's router if its module imports (it may be absent, or torch may be)."""
    try:
        from batchlab.web.routes.lab import make_router
    except ImportError:
        return None
    router: APIRouter = make_router(settings)
    return router


def _warm_up(cache: SceneCache, assets: list[Callable[[], object]]
             ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Lifespan, in the background and one at a time: compress vendored assets, build the
    default scene, then the lesson's default measurements (about 3 s of work together),
    so the first reader waits for none of them."""
    measurements = (lambda: experiments_data.noise("synthetic", 0),
                    lambda: experiments_data.flat_basin(0),
                    lambda: experiments_data.critical(experiments_data.CRITICAL_DATASET, 0))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        keep_freed_memory()  # every uncached scene reuses memory instead of faulting it in

        async def warm() -> None:
            for get in assets:
                await to_thread.run_sync(get)
            await cache.body(SceneSpec(), "binary")  # what the page asks for first
            for measure in measurements:
                await to_thread.run_sync(measure)
            app.state.warm = True  # /healthz says so (the bench waits for it)
        app.state.warm = False
        task = asyncio.create_task(warm())
        yield
        task.cancel()
    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; everything it holds hangs off this call, nothing off import."""
    settings = settings or Settings()
    cache = SceneCache(max_items=settings.scene_cache_size,
                       max_bytes=settings.scene_cache_bytes,
                       max_builds=settings.max_concurrent_builds)
    plotly = lazy_blob(plotly_js)
    app = FastAPI(title="batchlab", summary="Mini-batch training, computed for real.",
                  version="0.1.0", docs_url=None, redoc_url=None,
                  lifespan=_warm_up(cache, [plotly]))
    app.state.settings = settings
    app.state.scene_cache = cache
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(ServerTiming)  # outermost: its clock starts first
    app.add_exception_handler(FieldError, field_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.include_router(api.make_router(cache, settings.static_max_age))
    app.include_router(experiments.make_router(settings.max_concurrent_builds))
    for router in dives.make_routers(settings.max_concurrent_builds):
        app.include_router(router, prefix="/api/dives", tags=["deep dives"])
    lab = _lab_router(settings)
    if lab is not None:
        app.include_router(lab)
    app.include_router(pages.make_router(load_lesson, has_lab=lab is not None))
    app.include_router(vendor.make_router(plotly, settings.static_max_age))
    app.mount("/static", StaticFiles(directory=STATIC, packages=None), name="static")
    gc.freeze()  # start-up objects leave the collector's generations: shorter GC pauses
    return app
