# One image for the web server, the worker and the sweeper (docker-compose.yml picks the command).
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV DJANGO_SETTINGS_MODULE=playground.settings PYTHONUNBUFFERED=1
# Settings need a key to load: this step gets a throwaway one, kept in no layer. At run
# time the app starts only with a real SECRET_KEY (deploy/production.env).
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --no-input -v0
EXPOSE 8000
# The web tier (WEB_PROCESSES web servers on one socket); docker-compose.yml gives each
# service its own command.
ENV HOST=0.0.0.0 PORT=8000
CMD ["python", "-m", "playground.stack", "web"]
