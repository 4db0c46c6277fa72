"""Hero Frame Studio: `python app.py` builds the settings and services and serves the studio."""
import os
import sys

# Started as `python /abs/path/app.py` from another folder (systemd, Docker CMD, Spaces), the repository is still
# importable, here and (through the supervisor's PYTHONPATH) in the worker.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pipeline.services import build_services  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.supervisor import WorkerSupervisor  # noqa: E402
from studio.ui import build_demo, launch_options  # noqa: E402


def main() -> None:
    settings = Settings()
    services = build_services(settings)
    if settings.queue_mode == "embedded":
        services.worker = WorkerSupervisor(settings).start()  # restarted with backoff if it ever exits
    try:
        build_demo(services).queue(default_concurrency_limit=4).launch(**launch_options(services))
    finally:
        if services.worker is not None:
            services.worker.stop()


if __name__ == "__main__":
    main()
