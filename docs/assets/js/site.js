// Click-to-load YouTube: nothing is requested from another host until the reader asks for it.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".yt-embed__play");
  if (!button) return;
  const box = button.closest(".yt-embed");
  const id = box.dataset.youtubeId;
  const iframe = document.createElement("iframe");
  iframe.src = `https://www.youtube-nocookie.com/embed/${id}?autoplay=1`;
  iframe.title = button.querySelector(".yt-embed__title").textContent;
  iframe.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture";
  iframe.allowFullscreen = true;
  iframe.referrerPolicy = "strict-origin-when-cross-origin";
  box.replaceChildren(iframe);
  box.classList.add("yt-embed--playing");
  iframe.focus(); // the button is gone: keyboard focus goes into the player, not to the top of the page
});
