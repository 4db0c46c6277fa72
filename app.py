"""Hero Frame Studio: `python app.py` builds the settings and services and serves the studio."""
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.worker import start_worker_process
from studio.ui import build_demo, launch_options


def main() -> None:
    settings = Settings()
    services = build_services(settings)
    # The engine registry loads lazily (~0.3–0.5 s of imports); load it now, not inside the first request that
    # queues a generation (benchmarks/load.py saw every user's first enqueue pay for it).
    from pipeline.engines import base as engines

    for kind in ("prompt", "frame", "photo", "video"):
        engines.available(kind)
    worker = start_worker_process(settings) if settings.queue_mode == "embedded" else None
    try:
        build_demo(services).queue(default_concurrency_limit=4).launch(**launch_options(services))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


if __name__ == "__main__":
    main()
