"""An S3-compatible store for tests: moto's S3 server on loopback, spoken to over HTTP by boto3 (the same
client code as in production, no patching)."""
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"


@contextmanager
def moto_endpoint():
    """A running moto S3 server's URL for as long as the block lasts."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test")


def empty_bucket(endpoint: str, bucket: str):
    """The bucket, made if need be and emptied; returns a boto3 client to look inside it."""
    s3 = client(endpoint)
    s3.create_bucket(Bucket=bucket)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    return s3


def objects(endpoint: str, bucket: str) -> list[str]:
    return sorted(item["Key"] for page in client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
                  for item in page.get("Contents", []))


def settings(endpoint: str, bucket: str, *, names: str = "STORAGE", prefix: str | None = None) -> dict:
    """App settings for the bucket, under STORAGE_S3_* or (names="MATERIALS") their old aliases."""
    found = {f"{names}_S3_BUCKET": bucket, f"{names}_S3_ENDPOINT_URL": endpoint, f"{names}_S3_REGION": REGION,
             f"{names}_S3_ACCESS_KEY_ID": "test", f"{names}_S3_SECRET_ACCESS_KEY": "test"}
    if prefix is not None:
        found[f"{names}_S3_PREFIX"] = prefix
    return found
