"""Hero Frame Studio: `python app.py` builds the settings and services and serves the studio."""
from pipeline.services import build_services
from pipeline.settings import Settings
from pipeline.worker import start_worker_process
from studio.ui import build_demo, launch_options


def main() -> None:
    settings = Settings()
    services = build_services(settings)
    worker = start_worker_process(settings) if settings.queue_mode == "embedded" else None
    try:
        build_demo(services).queue(default_concurrency_limit=4).launch(**launch_options(services))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


if __name__ == "__main__":
    main()
