"""The whole loop through the API: prompt → frames → attempts → pick → timeline → exported MP4.

Run the studio first (`bash scripts/run-studio.sh`), then: `.venv/bin/python docs/examples/api_walkthrough.py`
(or pass another URL as the first argument).
"""
import sys
import time

from gradio_client import Client


def wait(client, job_id):
    while True:
        job, files = client.predict(job_id, api_name="/job")
        print(f"  job {job_id}: {job['status']} {job['progress']:.0f}% {job['step']}")
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job, files
        time.sleep(1)


def main(url: str = "http://127.0.0.1:7860/") -> None:
    client = Client(url, verbose=False)
    project = client.predict("API walkthrough", "9:16", api_name="/create_project")
    enhanced = client.predict("a perfume bottle on wet black stone, neon reflections", "9:16",
                              api_name="/enhance_prompt")
    print("Enhanced prompt:", enhanced["enhanced"])
    started = client.predict(project["id"], enhanced["original"], 4, "9:16", -1, enhanced["enhanced"],
                             api_name="/generate_hero_frames")
    wait(client, started["job_id"])
    frames, images = client.predict(project["id"], api_name="/hero_frames")
    print("Frames:", images)
    client.predict(project["id"], frames[0]["id"], api_name="/select_hero_frame")

    group = client.predict(project["id"], "slow push in, gentle", "shaky, fast movements", 3, 5.0, -1, -1,
                           api_name="/image_to_video")
    for job_id in group["job_ids"]:
        wait(client, job_id)
    while True:
        group, videos = client.predict(group["id"], api_name="/generation_group")
        if group["selection_reason"]:
            break
        time.sleep(1)
    print("System pick:", group["selection_reason"])
    for attempt in group["attempts"]:
        print(f"  attempt {attempt['index']}: {attempt['status']} overall={attempt['overall_score']}")

    client.predict(project["id"], api_name="/rebuild_timeline")  # one clip per group: the picks
    tracks = client.predict(api_name="/music_tracks")
    client.predict(project["id"], "set_music", f'{{"track": "{tracks[0]["id"]}", "volume": 0.3}}',
                   api_name="/timeline_edit")
    export = client.predict(project["id"], "crop", 0, api_name="/export_timeline")
    job, files = wait(client, export["job_id"])
    print("Exported:", files)


if __name__ == "__main__":
    main(*sys.argv[1:])
